set terminal pngcairo size 1120,800 noenhanced font ',10'
set output 'convergence.png'
set multiplot layout 2,2 title '1,000,000 routes from a BIRD sender: vbrd and a BIRD receiver'
set grid
set key bottom right
set ylabel 'routes (thousands)'
set xlabel 'seconds since Established'
set key bottom right
set xrange [-0.1:*]
set title 'one attribute set: announcement'
plot 'convergence-one-vbrd-fill.dat' using 1:($2/1000) with lines lw 2 title 'vbrd RIB', 'convergence-one-vbrd-fill.dat' using 1:($3/1000) with lines lw 2 title 'vbrd FIB', 'convergence-one-bird-fill.dat' using 1:($2/1000) with lines lw 2 title 'BIRD receiver RIB'
set xlabel 'seconds since Established'
set key bottom right
set xrange [-0.1:*]
set title 'one AS path per 5 prefixes: announcement'
plot 'convergence-paths-vbrd-fill.dat' using 1:($2/1000) with lines lw 2 title 'vbrd RIB', 'convergence-paths-vbrd-fill.dat' using 1:($3/1000) with lines lw 2 title 'vbrd FIB', 'convergence-paths-bird-fill.dat' using 1:($2/1000) with lines lw 2 title 'BIRD receiver RIB'
set xlabel 'seconds since the withdrawal'
set key top right
set xrange [-0.1:*]
set title 'one attribute set: withdrawal'
plot 'convergence-one-vbrd-empty.dat' using 1:($2/1000) with lines lw 2 title 'vbrd RIB', 'convergence-one-vbrd-empty.dat' using 1:($3/1000) with lines lw 2 title 'vbrd FIB', 'convergence-one-bird-empty.dat' using 1:($2/1000) with lines lw 2 title 'BIRD receiver RIB'
set xlabel 'seconds since the withdrawal'
set key top right
set xrange [-0.1:*]
set title 'one AS path per 5 prefixes: withdrawal'
plot 'convergence-paths-vbrd-empty.dat' using 1:($2/1000) with lines lw 2 title 'vbrd RIB', 'convergence-paths-vbrd-empty.dat' using 1:($3/1000) with lines lw 2 title 'vbrd FIB', 'convergence-paths-bird-empty.dat' using 1:($2/1000) with lines lw 2 title 'BIRD receiver RIB'
unset multiplot
