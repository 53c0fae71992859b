reset
set terminal pngcairo size 900,600 font 'Sans,11'
set output '/work/main/results/sweep/.accuracy_vs_train_noise.png.tmp'
set grid
$accuracy << EOD
0 98.1167 0.0208 97.6800 0.0200 95.4100 0.6421 85.3533 2.9686 77.3200 0.2307 24.0233 1.0619 2.8700 0.3503 14.5667 0.8879
0.1 97.9833 0.0473 97.9567 0.0416 97.2533 0.0115 94.3967 0.2802 81.1267 0.4661 30.9833 1.3014 5.0233 0.6865 19.5267 0.9418
0.2 97.8700 0.0872 97.9333 0.0252 97.7100 0.0529 96.6900 0.1082 84.0500 0.1833 42.5633 0.5552 7.7133 0.7322 31.0433 0.6850
0.3 97.5967 0.0473 97.7333 0.0643 97.6767 0.0757 97.2067 0.1172 86.0933 0.1818 53.1533 1.3649 11.4800 0.6722 43.7167 0.7767
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
1 0 97.6800
2 0 95.4100
3 0 85.3533
0 1 97.9833
1 1 97.9567
2 1 97.2533
3 1 94.3967
0 2 97.8700
1 2 97.9333
2 2 97.7100
3 2 96.6900
0 3 97.5967
1 3 97.7333
2 3 97.6767
3 3 97.2067
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


0 97.9833 0.0473
0.05 81.1267 0.4661
0.1 30.9833 1.3014
0.2 5.0233 0.6865


0 97.8700 0.0872
0.05 84.0500 0.1833
0.1 42.5633 0.5552
0.2 7.7133 0.7322


0 97.5967 0.0473
0.05 86.0933 0.1818
0.1 53.1533 1.3649
0.2 11.4800 0.6722


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
