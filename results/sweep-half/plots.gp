reset
set terminal pngcairo size 900,600 font 'Sans,11'
set output '/work/main/results/sweep-half/.accuracy_vs_train_noise.png.tmp'
set grid
$accuracy << EOD
0.1 98.1133 0.1222 97.9700 0.0361 97.5600 0.0656 96.3933 0.1069 79.9833 0.4065 27.9800 0.4158 3.9767 0.3899 17.6967 0.8703
0.2 98.1767 0.0777 98.0233 0.1159 97.6367 0.1193 96.6667 0.1305 82.8767 0.1986 35.4867 0.6643 4.9367 0.6037 22.9933 0.7214
0.3 98.1633 0.0723 98.0333 0.0306 97.7200 0.0781 97.0167 0.1193 86.0267 0.3921 47.1500 1.1657 6.2500 0.7731 33.7333 0.8015
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
0 0 98.1133
1 0 97.9700
2 0 97.5600
3 0 96.3933
0 1 98.1767
1 1 98.0233
2 1 97.6367
3 1 96.6667
0 2 98.1633
1 2 98.0333
2 2 97.7200
3 2 97.0167
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
0 98.1133 0.1222
0.05 79.9833 0.4065
0.1 27.9800 0.4158
0.2 3.9767 0.3899


0 98.1767 0.0777
0.05 82.8767 0.1986
0.1 35.4867 0.6643
0.2 4.9367 0.6037


0 98.1633 0.0723
0.05 86.0267 0.3921
0.1 47.1500 1.1657
0.2 6.2500 0.7731


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
0 0 971
1 0 1
2 0 0
3 0 2
4 0 0
5 0 2
6 0 1
7 0 2
8 0 1
9 0 0
0 1 0
1 1 1124
2 1 3
3 1 2
4 1 0
5 1 0
6 1 2
7 1 1
8 1 3
9 1 0
0 2 3
1 2 1
2 2 1008
3 2 6
4 2 2
5 2 0
6 2 1
7 2 6
8 2 5
9 2 0
0 3 0
1 3 0
2 3 3
3 3 990
4 3 0
5 3 4
6 3 0
7 3 3
8 3 5
9 3 5
0 4 1
1 4 0
2 4 4
3 4 0
4 4 965
5 4 0
6 4 2
7 4 1
8 4 1
9 4 8
0 5 2
1 5 0
2 5 1
3 5 10
4 5 2
5 5 865
6 5 6
7 5 1
8 5 4
9 5 1
0 6 7
1 6 3
2 6 0
3 6 1
4 6 5
5 6 2
6 6 937
7 6 1
8 6 2
9 6 0
0 7 0
1 7 3
2 7 6
3 7 2
4 7 1
5 7 0
6 7 1
7 7 1008
8 7 2
9 7 5
0 8 2
1 8 0
2 8 2
3 8 7
4 8 2
5 8 3
6 8 2
7 8 2
8 8 952
9 8 2
0 9 2
1 9 2
2 9 0
3 9 6
4 9 8
5 9 4
6 9 2
7 9 4
8 9 3
9 9 978
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
