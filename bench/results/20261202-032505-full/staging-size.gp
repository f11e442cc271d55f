set terminal pngcairo size 900,480
set output 'staging-size.png'
set title 'Staging cost against input size (median)'
set logscale xy
set xlabel 'files in the input tree'
set ylabel 'milliseconds'
set key top left
plot 'staging-size.dat' using 1:2 with linespoints title 'cp -a', 'staging-size.dat' using 1:3 with linespoints title 'cp -al', 'staging-size.dat' using 1:4 with linespoints title 'squashfuse mount', 'staging-size.dat' using 1:5 with linespoints title 'overlay mount'
