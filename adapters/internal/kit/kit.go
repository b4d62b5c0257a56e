// Package kit is what every chat adapter shares around its transport: a
// Run that may be called once, a bounded pool that work goes to once the
// platform has had its acknowledgement, a set that drops repeated
// deliveries, and the /healthz answer. An adapter keeps only translation,
// rendering and transport.
package kit
