// Package filtergen compiles a routing policy into vendor-neutral filters
// with provenance for every prefix.
package filtergen
