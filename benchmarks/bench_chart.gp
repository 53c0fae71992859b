# Bar chart of forward-pass throughput relative to OpenBLAS (1.0), per hidden size and batch.
# Called by scripts/bench.sh with data= and output= set.
set terminal pngcairo size 1000,450 font ",10"
set output output
set title "Forward pass 784-H-10, images/s relative to OpenBLAS (1 thread, same run)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set ylabel "x OpenBLAS"
set yrange [0:*]
set grid ytics
set key top left
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
plot data using 2:xtic(1) title "ours (dense)", '' using 3 title "ours sparse", '' using 4 title "eigen"
