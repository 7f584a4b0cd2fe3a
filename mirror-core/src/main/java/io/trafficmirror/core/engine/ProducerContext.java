package io.trafficmirror.core.engine;

import io.trafficmirror.vxlan.packet.PacketHeaders;

/**
 * What one producer thread reuses for every packet it offers: the header flyweight and its counters.
 */
final class ProducerContext
{
    final PacketHeaders headers = new PacketHeaders();
    final ThreadCounters counters;

    ProducerContext(final ThreadCounters counters)
    {
        this.counters = counters;
    }
}
