package io.trafficmirror.core.engine;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.vxlan.packet.PacketHeaders;

/**
 * Everything the packet path needs, compiled from one configuration. Immutable, and published to producer threads
 * by one volatile write in {@link MirrorEngine}; a producer reads it once per packet, so each packet is handled
 * wholly by one configuration.
 */
final class EngineState
{
    final MirrorConfiguration configuration;
    /** By source index; every source the engine ever knew has a plan, possibly with no sessions. */
    final SourcePlan[] sources;
    final boolean closed;
    /** The number of counters registered when this state was compiled. */
    final int counterSize;
    /** UDP endpoints of the targets: IPv4 address and port pairs, to recognise the engine's own output. */
    private final int[] ownIpv4;
    private final int[] ownIpv4Ports;
    /** IPv6 endpoints: high, low pairs, and their ports. */
    private final long[] ownIpv6;
    private final int[] ownIpv6Ports;

    EngineState(
        final MirrorConfiguration configuration,
        final SourcePlan[] sources,
        final boolean closed,
        final int counterSize,
        final int[] ownIpv4,
        final int[] ownIpv4Ports,
        final long[] ownIpv6,
        final int[] ownIpv6Ports)
    {
        this.configuration = configuration;
        this.sources = sources;
        this.closed = closed;
        this.counterSize = counterSize;
        this.ownIpv4 = ownIpv4;
        this.ownIpv4Ports = ownIpv4Ports;
        this.ownIpv6 = ownIpv6;
        this.ownIpv6Ports = ownIpv6Ports;
    }

    EngineState closedCopy()
    {
        return new EngineState(configuration, sources, true, counterSize, ownIpv4, ownIpv4Ports, ownIpv6, ownIpv6Ports);
    }

    /**
     * @return true for a UDP datagram to one of the targets' endpoints: VXLAN this engine (or a twin of it) sent.
     */
    boolean isOwnOutput(final PacketHeaders headers)
    {
        if (headers.protocol() != PacketHeaders.PROTOCOL_UDP || !headers.hasPorts())
        {
            return false;
        }
        final int port = headers.destinationPort();
        if (headers.ipVersion() == 4)
        {
            final int address = headers.destinationIpv4();
            for (int i = 0; i < ownIpv4.length; i++)
            {
                if (ownIpv4[i] == address && ownIpv4Ports[i] == port)
                {
                    return true;
                }
            }
            return false;
        }
        final long high = headers.destinationIpv6High();
        final long low = headers.destinationIpv6Low();
        for (int i = 0; i < ownIpv6Ports.length; i++)
        {
            if (ownIpv6[2 * i] == high && ownIpv6[2 * i + 1] == low && ownIpv6Ports[i] == port)
            {
                return true;
            }
        }
        return false;
    }
}
