package main

import (
	"math"
	"slices"
)

// spread is the median, the minimum and the maximum of a measure over runs.
type spread struct {
	median, min, max float64
	runs             int
}

func spreadOf(values []float64) spread {
	if len(values) == 0 {
		return spread{median: math.NaN(), min: math.NaN(), max: math.NaN()}
	}
	v := slices.Clone(values)
	slices.Sort(v)
	s := spread{min: v[0], max: v[len(v)-1], runs: len(v)}
	if len(v)%2 == 1 {
		s.median = v[len(v)/2]
	} else {
		s.median = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return s
}

// over returns the spread of f over ms.
func over(ms []measure, f func(measure) float64) spread {
	values := make([]float64, 0, len(ms))
	for _, m := range ms {
		values = append(values, f(m))
	}
	return spreadOf(values)
}

// exponent is the least-squares slope of log(y) on log(x): y grows as
// x^exponent. NaN with fewer than two distinct x or any value not above 0.
func exponent(x, y []float64) float64 {
	if len(x) != len(y) || len(x) < 2 {
		return math.NaN()
	}
	var sx, sy, sxx, sxy float64
	n := float64(len(x))
	for i := range x {
		if x[i] <= 0 || y[i] <= 0 {
			return math.NaN()
		}
		lx, ly := math.Log(x[i]), math.Log(y[i])
		sx += lx
		sy += ly
		sxx += lx * lx
		sxy += lx * ly
	}
	d := n*sxx - sx*sx
	if d == 0 {
		return math.NaN()
	}
	return (n*sxy - sx*sy) / d
}
