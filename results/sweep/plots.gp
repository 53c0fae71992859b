reset
set terminal pngcairo size 900,600 font 'Sans,11'
set output '/work/main/results/sweep/.accuracy_vs_train_noise.png.tmp'
set grid
$accuracy << EOD
0 98.1333 0.0306 97.6700 0.0520 95.4433 0.6704 85.3933 3.0103 77.2933 0.3139 23.8533 1.1026 2.0700 0.3504 14.6033 0.7306
0.1 97.9800 0.0700 97.9333 0.0666 97.2733 0.1102 94.4033 0.2301 81.1500 0.5717 31.2533 1.0072 3.8033 0.6772 19.5367 1.0727
0.2 97.8433 0.0306 97.9533 0.0208 97.7233 0.0404 96.6733 0.1457 84.0400 0.2381 42.5833 0.5034 6.1167 0.5262 30.9833 0.9131
0.3 97.6233 0.1155 97.7267 0.0611 97.6467 0.0902 97.1933 0.0666 86.0300 0.1744 53.0300 0.9338 9.0200 0.4423 43.4733 0.6133
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
0 0 98.1333
1 0 97.6700
2 0 95.4433
3 0 85.3933
0 1 97.9800
1 1 97.9333
2 1 97.2733
3 1 94.4033
0 2 97.8433
1 2 97.9533
2 2 97.7233
3 2 96.6733
0 3 97.6233
1 3 97.7267
2 3 97.6467
3 3 97.1933
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
0 98.1333 0.0306
0.05 77.2933 0.3139
0.1 23.8533 1.1026
0.2 2.0700 0.3504


0 97.9800 0.0700
0.05 81.1500 0.5717
0.1 31.2533 1.0072
0.2 3.8033 0.6772


0 97.8433 0.0306
0.05 84.0400 0.2381
0.1 42.5833 0.5034
0.2 6.1167 0.5262


0 97.6233 0.1155
0.05 86.0300 0.1744
0.1 53.0300 0.9338
0.2 9.0200 0.4423


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
0 0 972
1 0 1
2 0 0
3 0 2
4 0 0
5 0 1
6 0 0
7 0 2
8 0 1
9 0 1
0 1 0
1 1 1126
2 1 2
3 1 2
4 1 0
5 1 1
6 1 2
7 1 1
8 1 1
9 1 0
0 2 4
1 2 1
2 2 1009
3 2 3
4 2 3
5 2 0
6 2 1
7 2 5
8 2 6
9 2 0
0 3 0
1 3 0
2 3 3
3 3 994
4 3 0
5 3 1
6 3 0
7 3 3
8 3 4
9 3 5
0 4 1
1 4 0
2 4 4
3 4 0
4 4 965
5 4 0
6 4 2
7 4 2
8 4 0
9 4 8
0 5 2
1 5 0
2 5 0
3 5 12
4 5 1
5 5 866
6 5 4
7 5 1
8 5 5
9 5 1
0 6 5
1 6 3
2 6 0
3 6 1
4 6 4
5 6 3
6 6 940
7 6 1
8 6 1
9 6 0
0 7 1
1 7 4
2 7 6
3 7 2
4 7 0
5 7 0
6 7 0
7 7 1010
8 7 1
9 7 4
0 8 3
1 8 0
2 8 4
3 8 4
4 8 2
5 8 1
6 8 2
7 8 3
8 8 952
9 8 3
0 9 2
1 9 3
2 9 0
3 9 5
4 9 7
5 9 2
6 9 2
7 9 5
8 9 1
9 9 982
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
