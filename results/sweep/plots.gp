reset
set terminal pngcairo size 900,600 font 'Sans,11'
set output '/work/main/results/sweep/.accuracy_vs_train_noise.png.tmp'
set grid
$accuracy << EOD
0 98.1167 0.0208 97.6967 0.1021 95.3067 0.5877 85.4700 3.1829 77.3200 0.2307 24.0233 1.0619 2.8700 0.3503 14.5667 0.8879
0.1 98.0200 0.0500 97.9267 0.1168 97.1933 0.0651 94.1767 0.6380 80.9367 0.3427 30.3367 1.7872 4.8167 0.5299 18.8400 1.1870
0.2 97.9000 0.0361 97.9300 0.0608 97.5667 0.0513 96.5933 0.0321 84.4200 0.1682 41.9867 0.9577 7.1800 0.2858 30.3667 1.4478
0.3 97.5767 0.1457 97.7467 0.0751 97.6333 0.1677 96.9800 0.0954 86.2533 0.2201 52.5900 0.5268 11.6533 0.5755 43.5367 0.8231
EOD
set title 'Test accuracy vs training noise (784-128-10, mean ± sd, n = 3 seeds)'
set xlabel 'training noise (std of Gaussian pixel noise)'
set ylabel 'test accuracy (%)'
set yrange [0:100]
set offsets 0.01, 0.01, 0, 0
set key outside right top
set xtics (0, 0.1, 0.2, 0.3)
plot $accuracy using 1:2:3 with yerrorlines lw 2 title 'test: clean', \
  $accuracy using 1:4:5 with yerrorlines lw 2 title 'test: noise 0.1', \
  $accuracy using 1:6:7 with yerrorlines lw 2 title 'test: noise 0.2', \
  $accuracy using 1:8:9 with yerrorlines lw 2 title 'test: noise 0.3', \
  $accuracy using 1:10:11 with yerrorlines lw 2 title 'test: FGSM 0.05', \
  $accuracy using 1:12:13 with yerrorlines lw 2 title 'test: FGSM 0.1', \
  $accuracy using 1:14:15 with yerrorlines lw 2 title 'test: FGSM 0.2', \
  $accuracy using 1:16:17 with yerrorlines lw 2 title 'test: PGD 0.1'
unset output
reset
set terminal pngcairo size 800,600 font 'Sans,11'
set output '/work/main/results/sweep/.noise_heatmap.png.tmp'
set grid
$heat << EOD
0 0 98.1167
1 0 97.6967
2 0 95.3067
3 0 85.4700
0 1 98.0200
1 1 97.9267
2 1 97.1933
3 1 94.1767
0 2 97.9000
1 2 97.9300
2 2 97.5667
3 2 96.5933
0 3 97.5767
1 3 97.7467
2 3 97.6333
3 3 96.9800
EOD
set title 'Mean test accuracy (%), 784-128-10, n = 3 seeds'
set xlabel 'test noise (std)'
set ylabel 'training noise (std)'
set xtics ('0 (clean)' 0, '0.1' 1, '0.2' 2, '0.3' 3)
set ytics ('0' 0, '0.1' 1, '0.2' 2, '0.3' 3)
set xrange [-0.5:4-0.5]
set yrange [-0.5:4-0.5]
unset grid
set palette defined (0 '#fff5eb', 1 '#fd8d3c', 2 '#d94801')
set cblabel 'accuracy (%)'
plot $heat using 1:2:(0.5):(0.5):3 with boxxyerror fillstyle solid noborder fillcolor palette notitle, \
  $heat using 1:2:(sprintf('%.2f', $3)) with labels font ',12' notitle
unset output
reset
set terminal pngcairo size 900,600 font 'Sans,11'
set output '/work/main/results/sweep/.accuracy_vs_fgsm.png.tmp'
set grid
$fgsm << EOD
0 98.1167 0.0208
0.05 77.3200 0.2307
0.1 24.0233 1.0619
0.2 2.8700 0.3503


0 98.0200 0.0500
0.05 80.9367 0.3427
0.1 30.3367 1.7872
0.2 4.8167 0.5299


0 97.9000 0.0361
0.05 84.4200 0.1682
0.1 41.9867 0.9577
0.2 7.1800 0.2858


0 97.5767 0.1457
0.05 86.2533 0.2201
0.1 52.5900 0.5268
0.2 11.6533 0.5755


EOD
set title 'Test accuracy under FGSM (784-128-10, mean ± sd, n = 3 seeds)'
set xlabel 'FGSM epsilon (0 = clean)'
set ylabel 'test accuracy (%)'
set yrange [0:100]
set offsets 0.005, 0.005, 0, 0
set key outside right top
plot $fgsm index 0 using 1:2:3 with yerrorlines lw 2 title 'train noise 0', \
  $fgsm index 1 using 1:2:3 with yerrorlines lw 2 title 'train noise 0.1', \
  $fgsm index 2 using 1:2:3 with yerrorlines lw 2 title 'train noise 0.2', \
  $fgsm index 3 using 1:2:3 with yerrorlines lw 2 title 'train noise 0.3'
unset output
reset
set terminal pngcairo size 700,600 font 'Sans,11'
set output '/work/main/results/sweep/.confusion.png.tmp'
set grid
$confusion << EOD
0 0 973
1 0 1
2 0 0
3 0 2
4 0 0
5 0 1
6 0 0
7 0 2
8 0 1
9 0 0
0 1 0
1 1 1126
2 1 2
3 1 2
4 1 0
5 1 0
6 1 2
7 1 0
8 1 3
9 1 0
0 2 3
1 2 2
2 2 1008
3 2 4
4 2 3
5 2 0
6 2 1
7 2 5
8 2 6
9 2 0
0 3 0
1 3 0
2 3 3
3 3 993
4 3 0
5 3 1
6 3 0
7 3 3
8 3 4
9 3 6
0 4 1
1 4 0
2 4 5
3 4 0
4 4 964
5 4 0
6 4 2
7 4 2
8 4 0
9 4 8
0 5 2
1 5 0
2 5 0
3 5 11
4 5 1
5 5 866
6 5 5
7 5 1
8 5 5
9 5 1
0 6 5
1 6 3
2 6 0
3 6 1
4 6 6
5 6 3
6 6 939
7 6 1
8 6 0
9 6 0
0 7 1
1 7 4
2 7 5
3 7 2
4 7 0
5 7 0
6 7 0
7 7 1010
8 7 1
9 7 5
0 8 3
1 8 0
2 8 3
3 8 4
4 8 2
5 8 1
6 8 3
7 8 3
8 8 953
9 8 2
0 9 2
1 9 3
2 9 0
3 9 5
4 9 9
5 9 2
6 9 2
7 9 5
8 9 2
9 9 979
EOD
set title 'Confusion matrix, clean test images: 784-128-10 trained with noise 0, seed 1'
set xlabel 'predicted digit'
set ylabel 'true digit'
set xtics ('0' 0, '1' 1, '2' 2, '3' 3, '4' 4, '5' 5, '6' 6, '7' 7, '8' 8, '9' 9)
set ytics ('0' 0, '1' 1, '2' 2, '3' 3, '4' 4, '5' 5, '6' 6, '7' 7, '8' 8, '9' 9)
set xrange [-0.5:9.5]
set yrange [9.5:-0.5]
unset grid
set logscale cb
set cbrange [1:*]
set cblabel 'images (log scale)'
set palette defined (0 '#f7fbff', 1 '#6baed6', 2 '#08306b')
plot $confusion using 1:2:($3 > 0 ? $3 : 1) with image notitle, \
  $confusion using 1:2:(sprintf('%d', int($3))) with labels textcolor rgb '#d94801' notitle
unset output
