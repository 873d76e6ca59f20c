// Package templates renders a compiled filtergen result as router
// configuration for each supported platform.
package templates
