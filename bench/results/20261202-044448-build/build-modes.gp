set terminal pngcairo size 900,480
set output 'build-modes.png'
set title 'Build workload by mode (median seconds; staging + run in the sandbox)'
set style data histograms
set style histogram rowstacked
set style fill solid 0.8 border -1
set boxwidth 0.7
set ylabel 'seconds'
set yrange [0:*]
set key below horizontal
plot 'build-modes.dat' using 2:xtic(1) title 'staging', '' using 3 title 'build in sandbox'
