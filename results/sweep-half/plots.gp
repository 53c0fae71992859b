reset
set terminal pngcairo size 900,600 font 'Sans,11'
set output '/work/main/results/sweep-half/.accuracy_vs_train_noise.png.tmp'
set grid
$accuracy << EOD
0.1 98.0800 0.0458 97.9233 0.0306 97.5067 0.1102 96.2433 0.0850 79.9733 0.7921 28.4300 0.9182 2.8200 0.5027 17.8733 0.8980
0.2 98.1267 0.0611 98.0300 0.0854 97.7267 0.0416 96.8500 0.0557 83.0300 0.3291 36.2367 1.5505 3.6133 0.1464 23.7233 0.6361
0.3 98.1300 0.0361 98.0600 0.0854 97.7333 0.0416 96.9933 0.0814 85.8367 0.2631 46.7000 0.5587 5.0333 0.1401 33.6767 0.6928
EOD
set title 'Test accuracy vs training noise (784-128-10, noise on half the images, mean ± sd, n = 3 seeds)'
set xlabel 'training noise (std of Gaussian pixel noise)'
set ylabel 'test accuracy (%)'
set yrange [0:100]
set offsets 0.01, 0.01, 0, 0
set key outside right top
set xtics (0.1, 0.2, 0.3)
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
set output '/work/main/results/sweep-half/.noise_heatmap.png.tmp'
set grid
$heat << EOD
0 0 98.0800
1 0 97.9233
2 0 97.5067
3 0 96.2433
0 1 98.1267
1 1 98.0300
2 1 97.7267
3 1 96.8500
0 2 98.1300
1 2 98.0600
2 2 97.7333
3 2 96.9933
EOD
set title 'Mean test accuracy (%), 784-128-10, noise on half the images, n = 3 seeds'
set xlabel 'test noise (std)'
set ylabel 'training noise (std)'
set xtics ('0 (clean)' 0, '0.1' 1, '0.2' 2, '0.3' 3)
set ytics ('0.1' 0, '0.2' 1, '0.3' 2)
set xrange [-0.5:4-0.5]
set yrange [-0.5:3-0.5]
unset grid
set palette defined (0 '#fff5eb', 1 '#fd8d3c', 2 '#d94801')
set cblabel 'accuracy (%)'
plot $heat using 1:2:(0.5):(0.5):3 with boxxyerror fillstyle solid noborder fillcolor palette notitle, \
  $heat using 1:2:(sprintf('%.2f', $3)) with labels font ',12' notitle
unset output
reset
set terminal pngcairo size 900,600 font 'Sans,11'
set output '/work/main/results/sweep-half/.accuracy_vs_fgsm.png.tmp'
set grid
$fgsm << EOD
0 98.0800 0.0458
0.05 79.9733 0.7921
0.1 28.4300 0.9182
0.2 2.8200 0.5027


0 98.1267 0.0611
0.05 83.0300 0.3291
0.1 36.2367 1.5505
0.2 3.6133 0.1464


0 98.1300 0.0361
0.05 85.8367 0.2631
0.1 46.7000 0.5587
0.2 5.0333 0.1401


EOD
set title 'Test accuracy under FGSM (784-128-10, noise on half the images, mean ± sd, n = 3 seeds)'
set xlabel 'FGSM epsilon (0 = clean)'
set ylabel 'test accuracy (%)'
set yrange [0:100]
set offsets 0.005, 0.005, 0, 0
set key outside right top
plot $fgsm index 0 using 1:2:3 with yerrorlines lw 2 title 'train noise 0.1', \
  $fgsm index 1 using 1:2:3 with yerrorlines lw 2 title 'train noise 0.2', \
  $fgsm index 2 using 1:2:3 with yerrorlines lw 2 title 'train noise 0.3'
unset output
reset
set terminal pngcairo size 700,600 font 'Sans,11'
set output '/work/main/results/sweep-half/.confusion.png.tmp'
set grid
$confusion << EOD
0 0 972
1 0 1
2 0 0
3 0 2
4 0 0
5 0 1
6 0 1
7 0 2
8 0 1
9 0 0
0 1 0
1 1 1123
2 1 2
3 1 2
4 1 0
5 1 1
6 1 2
7 1 2
8 1 3
9 1 0
0 2 4
1 2 1
2 2 1005
3 2 4
4 2 2
5 2 0
6 2 2
7 2 8
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
2 4 5
3 4 0
4 4 965
5 4 0
6 4 1
7 4 1
8 4 1
9 4 8
0 5 2
1 5 0
2 5 0
3 5 10
4 5 2
5 5 868
6 5 5
7 5 1
8 5 3
9 5 1
0 6 7
1 6 3
2 6 0
3 6 1
4 6 4
5 6 3
6 6 939
7 6 0
8 6 1
9 6 0
0 7 0
1 7 4
2 7 6
3 7 1
4 7 0
5 7 0
6 7 0
7 7 1010
8 7 2
9 7 5
0 8 4
1 8 0
2 8 4
3 8 6
4 8 1
5 8 2
6 8 3
7 8 3
8 8 949
9 8 2
0 9 2
1 9 2
2 9 0
3 9 4
4 9 10
5 9 3
6 9 2
7 9 5
8 9 2
9 9 979
EOD
set title 'Confusion matrix, clean test images: 784-128-10 trained with noise 0.1, seed 1'
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
