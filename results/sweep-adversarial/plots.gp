reset
set terminal pngcairo size 900,600 font 'Sans,11'
set output '/work/main/results/sweep-adversarial/.accuracy_vs_train_noise.png.tmp'
set grid
$accuracy << EOD
0 93.0300 1.0124 87.3967 1.2690 78.0300 1.5357 42.1467 1.9409 76.5767 1.5411
EOD
set title 'Test accuracy vs training noise (784-128-10, FGSM training ε = 0.1, mean ± sd, n = 3 seeds)'
set xlabel 'training noise (std of Gaussian pixel noise)'
set ylabel 'test accuracy (%)'
set yrange [0:100]
set offsets 0.01, 0.01, 0, 0
set key outside right top
set xtics (0)
plot $accuracy using 1:2:3 with yerrorlines lw 2 title 'test: clean', \
  $accuracy using 1:4:5 with yerrorlines lw 2 title 'test: FGSM 0.05', \
  $accuracy using 1:6:7 with yerrorlines lw 2 title 'test: FGSM 0.1', \
  $accuracy using 1:8:9 with yerrorlines lw 2 title 'test: FGSM 0.2', \
  $accuracy using 1:10:11 with yerrorlines lw 2 title 'test: PGD 0.1'
unset output
reset
set terminal pngcairo size 800,600 font 'Sans,11'
set output '/work/main/results/sweep-adversarial/.noise_heatmap.png.tmp'
set grid
$heat << EOD
0 0 93.0300
EOD
set title 'Mean test accuracy (%), 784-128-10, FGSM training ε = 0.1, n = 3 seeds'
set xlabel 'test noise (std)'
set ylabel 'training noise (std)'
set xtics ('0 (clean)' 0)
set ytics ('0' 0)
set xrange [-0.5:1-0.5]
set yrange [-0.5:1-0.5]
unset grid
set palette defined (0 '#fff5eb', 1 '#fd8d3c', 2 '#d94801')
set cblabel 'accuracy (%)'
plot $heat using 1:2:(0.5):(0.5):3 with boxxyerror fillstyle solid noborder fillcolor palette notitle, \
  $heat using 1:2:(sprintf('%.2f', $3)) with labels font ',12' notitle
unset output
reset
set terminal pngcairo size 900,600 font 'Sans,11'
set output '/work/main/results/sweep-adversarial/.accuracy_vs_fgsm.png.tmp'
set grid
$fgsm << EOD
0 93.0300 1.0124
0.05 87.3967 1.2690
0.1 78.0300 1.5357
0.2 42.1467 1.9409


EOD
set title 'Test accuracy under FGSM (784-128-10, FGSM training ε = 0.1, mean ± sd, n = 3 seeds)'
set xlabel 'FGSM epsilon (0 = clean)'
set ylabel 'test accuracy (%)'
set yrange [0:100]
set offsets 0.005, 0.005, 0, 0
set key outside right top
plot $fgsm index 0 using 1:2:3 with yerrorlines lw 2 title 'train noise 0'
unset output
reset
set terminal pngcairo size 700,600 font 'Sans,11'
set output '/work/main/results/sweep-adversarial/.confusion.png.tmp'
set grid
$confusion << EOD
0 0 956
1 0 1
2 0 3
3 0 0
4 0 0
5 0 3
6 0 10
7 0 3
8 0 3
9 0 1
0 1 0
1 1 1123
2 1 3
3 1 5
4 1 0
5 1 1
6 1 1
7 1 1
8 1 1
9 1 0
0 2 12
1 2 9
2 2 936
3 2 14
4 2 12
5 2 4
6 2 7
7 2 30
8 2 5
9 2 3
0 3 0
1 3 3
2 3 14
3 3 954
4 3 0
5 3 14
6 3 0
7 3 17
8 3 6
9 3 2
0 4 1
1 4 5
2 4 1
3 4 1
4 4 886
5 4 0
6 4 12
7 4 1
8 4 4
9 4 71
0 5 11
1 5 1
2 5 3
3 5 21
4 5 5
5 5 826
6 5 12
7 5 6
8 5 5
9 5 2
0 6 16
1 6 3
2 6 2
3 6 0
4 6 5
5 6 7
6 6 922
7 6 0
8 6 3
9 6 0
0 7 4
1 7 14
2 7 17
3 7 7
4 7 9
5 7 2
6 7 0
7 7 964
8 7 1
9 7 10
0 8 8
1 8 7
2 8 10
3 8 16
4 8 8
5 8 17
6 8 23
7 8 9
8 8 849
9 8 27
0 9 5
1 9 8
2 9 1
3 9 9
4 9 71
5 9 14
6 9 4
7 9 14
8 9 4
9 9 879
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
