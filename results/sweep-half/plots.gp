reset
set terminal pngcairo size 900,600 font 'Sans,11'
set output '/work/main/results/sweep-half/.accuracy_vs_train_noise.png.tmp'
set grid
$accuracy << EOD
0.1 98.0733 0.0416 97.9800 0.0854 97.4567 0.1380 96.3100 0.0985 79.9000 0.5205 28.4867 0.8065 3.9767 0.4900 17.8933 0.9142
0.2 98.1000 0.0700 98.0200 0.1114 97.6767 0.1007 96.7600 0.0265 83.1233 0.4110 36.1533 1.5054 4.9300 0.4969 23.6133 0.9157
0.3 98.1400 0.0361 98.0600 0.0917 97.7133 0.0404 97.0833 0.0153 85.8600 0.2955 46.7900 0.5145 6.3333 0.3259 33.8467 0.7715
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
0 0 98.0733
1 0 97.9800
2 0 97.4567
3 0 96.3100
0 1 98.1000
1 1 98.0200
2 1 97.6767
3 1 96.7600
0 2 98.1400
1 2 98.0600
2 2 97.7133
3 2 97.0833
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
0 98.0733 0.0416
0.05 79.9000 0.5205
0.1 28.4867 0.8065
0.2 3.9767 0.4900


0 98.1000 0.0700
0.05 83.1233 0.4110
0.1 36.1533 1.5054
0.2 4.9300 0.4969


0 98.1400 0.0361
0.05 85.8600 0.2955
0.1 46.7900 0.5145
0.2 6.3333 0.3259


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
2 2 1004
3 2 4
4 2 2
5 2 0
6 2 2
7 2 8
8 2 7
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
4 4 966
5 4 0
6 4 1
7 4 1
8 4 1
9 4 7
0 5 2
1 5 0
2 5 0
3 5 12
4 5 1
5 5 868
6 5 4
7 5 1
8 5 3
9 5 1
0 6 6
1 6 3
2 6 1
3 6 1
4 6 5
5 6 3
6 6 938
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
2 8 3
3 8 4
4 8 1
5 8 2
6 8 3
7 8 3
8 8 951
9 8 3
0 9 2
1 9 3
2 9 0
3 9 4
4 9 8
5 9 4
6 9 2
7 9 5
8 9 1
9 9 980
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
