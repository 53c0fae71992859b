reset
set terminal pngcairo size 900,600 font 'Sans,11'
set output '/work/main/results/sweep-half/.accuracy_vs_train_noise.png.tmp'
set grid
$accuracy << EOD
0.1 98.0333 0.0351 97.9600 0.0436 97.4833 0.0473 96.2267 0.1557 80.0800 0.3961 28.6633 0.5326 3.9867 0.6959 17.8933 0.7050
0.2 98.1233 0.0666 98.0300 0.0872 97.7033 0.0850 96.8200 0.0436 83.0167 0.6929 35.5767 1.4958 4.8167 0.5252 23.4733 0.7193
0.3 98.1500 0.0400 98.0367 0.1537 97.7367 0.0153 97.0033 0.0896 85.8467 0.2829 46.7933 0.4554 6.2567 0.0971 33.5267 0.6881
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
0 0 98.0333
1 0 97.9600
2 0 97.4833
3 0 96.2267
0 1 98.1233
1 1 98.0300
2 1 97.7033
3 1 96.8200
0 2 98.1500
1 2 98.0367
2 2 97.7367
3 2 97.0033
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
0 98.0333 0.0351
0.05 80.0800 0.3961
0.1 28.6633 0.5326
0.2 3.9867 0.6959


0 98.1233 0.0666
0.05 83.0167 0.6929
0.1 35.5767 1.4958
0.2 4.8167 0.5252


0 98.1500 0.0400
0.05 85.8467 0.2829
0.1 46.7933 0.4554
0.2 6.2567 0.0971


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
1 1 1124
2 1 2
3 1 2
4 1 0
5 1 1
6 1 2
7 1 2
8 1 2
9 1 0
0 2 4
1 2 1
2 2 1007
3 2 5
4 2 2
5 2 0
6 2 2
7 2 7
8 2 4
9 2 0
0 3 0
1 3 0
2 3 4
3 3 994
4 3 0
5 3 1
6 3 0
7 3 3
8 3 4
9 3 4
0 4 1
1 4 0
2 4 5
3 4 0
4 4 963
5 4 0
6 4 2
7 4 1
8 4 1
9 4 9
0 5 2
1 5 0
2 5 0
3 5 12
4 5 2
5 5 865
6 5 5
7 5 1
8 5 4
9 5 1
0 6 8
1 6 3
2 6 0
3 6 1
4 6 4
5 6 3
6 6 938
7 6 0
8 6 1
9 6 0
0 7 1
1 7 4
2 7 6
3 7 1
4 7 0
5 7 0
6 7 0
7 7 1009
8 7 2
9 7 5
0 8 4
1 8 0
2 8 4
3 8 5
4 8 2
5 8 3
6 8 3
7 8 3
8 8 948
9 8 2
0 9 2
1 9 3
2 9 0
3 9 4
4 9 9
5 9 2
6 9 2
7 9 5
8 9 2
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
