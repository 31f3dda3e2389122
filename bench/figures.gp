# figures.gp: the benchmark's pictures, from the tables bench/figures.js wrote.
#   gnuplot -e "work='bench/work'; out='bench'" bench/figures.gp
# out/time.svg: wall time per scenario against N (log-log), with the source
# floor; out/memory.svg: the backend's peak private memory growth per
# scenario against N, with the target line (64 MB + 100 B per source row).
set terminal svg size 900,470 dynamic enhanced font 'Helvetica,13' background rgb 'white'
set datafile missing 'NaN'
set key autotitle columnhead outside right top Left reverse
set logscale x 10
set grid xtics ytics mytics
set xlabel 'N (unpaid invoices in the source)'
load work.'/xtics.gp'
set style line 1 lc rgb '#1f77b4' lw 2 pt 7 ps 0.8
set style line 2 lc rgb '#ff7f0e' lw 2 pt 5 ps 0.8
set style line 3 lc rgb '#2ca02c' lw 2 pt 9 ps 0.9
set style line 4 lc rgb '#9467bd' lw 2 pt 11 ps 0.9
set style line 5 lc rgb '#8c564b' lw 2 pt 13 ps 0.9

set output out.'/time.svg'
set title 'impayes\_sync: wall time per scenario'
set logscale y 10
set format y '%g'
set ylabel 'wall time (s)'
plot for [i=2:6] work.'/time.dat' using 1:i with linespoints ls (i - 1), \
     work.'/time.dat' using 1:7 with linespoints lc rgb 'gray40' lw 1.5 dt 2 pt 1

set output out.'/memory.svg'
set title 'impayes\_sync: backend peak private memory growth (RssAnon)'
unset logscale y
set yrange [0:*]
set ylabel 'MB (10^6 bytes)'
target(n) = 64 + 100 * n / 1e6
set samples 200
plot for [i=2:6] work.'/memory.dat' using 1:i with linespoints ls (i - 1), \
     target(x) with lines lc rgb 'red' lw 2.5 dt 3 title 'target: 64 MB + 100 B × N'
