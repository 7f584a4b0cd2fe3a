/**
 * Micrometer binders for the engine ({@link io.trafficmirror.core.metrics.MirrorEngineMetrics}) and the receiver
 * ({@link io.trafficmirror.core.metrics.MirrorReceiverMetrics}). Micrometer is an optional dependency of mirror-core:
 * an application that uses these declares {@code io.micrometer:micrometer-core}; nothing outside this package needs it.
 */
package io.trafficmirror.core.metrics;
