package io.trafficmirror.core.engine;

import io.trafficmirror.vxlan.FlowHash;
import io.trafficmirror.vxlan.VxlanHeaderEncoder;

import java.io.IOException;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A target reached over UDP: one endpoint ({@code network-interface}) or a flow-hashed group
 * ({@code network-load-balancer}).
 * <p>
 * The operating system writes the outer IP and UDP headers, so a copy leaves as the 8-byte VXLAN header and the
 * inner frame, as a datagram's payload. The outer source port cannot be chosen per datagram through the JDK, so
 * each endpoint has a small pool of connected sockets bound to distinct ports in 49152..65535 (ephemeral ports
 * where those are taken); a flow's {@link FlowHash} port picks the socket, so both directions of a flow always
 * leave from the same port and a flow-hashing balancer at the target keeps them together. Connected sockets
 * also report ICMP port unreachable from the target, as a failed send that is counted. The outer IP and UDP headers
 * are the operating system's (its TTL, DF bit and UDP checksum): the JDK has no per-socket way to ask for AWS's
 * TTL 255, DF clear and checksum 0. A receiver decodes them all the same; the kernel's own vxlan device does.
 * <p>
 * In a group, each flow goes to the endpoint with the highest rendezvous hash among those not marked down; when
 * one is marked down, only the flows it had move.
 */
final class UdpTarget extends TargetRuntime
{
    /** Outer IPv4 + UDP + VXLAN headers counted against the MTU. */
    static final int IPV4_OVERHEAD = 20 + 8 + VxlanHeaderEncoder.HEADER_LENGTH;
    /** Outer IPv6 + UDP + VXLAN headers counted against the MTU. */
    static final int IPV6_OVERHEAD = 40 + 8 + VxlanHeaderEncoder.HEADER_LENGTH;

    private static final int PORT_TRIES = 32;

    private final TargetBinding binding;
    private final int mtu;
    private final Endpoint[] endpoints;
    private final VxlanHeaderEncoder vxlan = new VxlanHeaderEncoder();
    private final RateLimitedLog log;

    UdpTarget(
        final String targetId,
        final TargetBinding binding,
        final int mtu,
        final int slotLength,
        final int slots,
        final int block,
        final int socketsPerEndpoint,
        final RateLimitedLog log) throws IOException
    {
        super(targetId, slotLength, slots, block);
        this.binding = binding;
        this.mtu = mtu;
        this.log = log;
        final List<InetSocketAddress> addresses = binding.endpoints();
        endpoints = new Endpoint[addresses.size()];
        try
        {
            for (int i = 0; i < endpoints.length; i++)
            {
                endpoints[i] = new Endpoint(addresses.get(i), socketsPerEndpoint);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * @return the most inner bytes that fit the MTU over this binding's endpoints.
     */
    static int mtuLimit(final TargetBinding binding, final int mtu)
    {
        return mtu - overhead(binding.endpoints());
    }

    private static int overhead(final List<InetSocketAddress> endpoints)
    {
        for (final InetSocketAddress endpoint : endpoints)
        {
            if (endpoint.getAddress() instanceof Inet6Address)
            {
                return IPV6_OVERHEAD;
            }
        }
        return IPV4_OVERHEAD;
    }

    /**
     * @return the local ports of every socket, for excluding the engine's own output.
     */
    int[] localPorts()
    {
        int count = 0;
        for (final Endpoint endpoint : endpoints)
        {
            count += endpoint.ports.length;
        }
        final int[] ports = new int[count];
        int i = 0;
        for (final Endpoint endpoint : endpoints)
        {
            for (final int port : endpoint.ports)
            {
                ports[i++] = port;
            }
        }
        return ports;
    }

    List<InetSocketAddress> endpointAddresses()
    {
        return binding.endpoints();
    }

    @Override
    boolean send(final Slot slot)
    {
        final Endpoint endpoint = pick(slot.flowPort);
        if (endpoint == null)
        {
            if (log.allow(targetId))
            {
                log.warn(targetId, targetId + ": every endpoint is marked down; dropping copies");
            }
            return false;
        }
        final int start = Slot.HEADROOM - VxlanHeaderEncoder.HEADER_LENGTH;
        vxlan.wrap(slot.buffer, start).encode(slot.vni);
        final ByteBuffer buffer = slot.sendView();
        buffer.limit(Slot.HEADROOM + slot.innerLength).position(start);
        final DatagramChannel channel = endpoint.channels[(slot.flowPort - FlowHash.MIN_PORT) % endpoint.channels.length];
        try
        {
            channel.write(buffer);
            return true;
        }
        catch (final IOException ex)
        {
            if (log.allow(targetId))
            {
                log.warn(targetId, targetId + ": sending to " + endpoint.address + " failed: " + ex);
            }
            return false;
        }
    }

    private Endpoint pick(final int flowPort)
    {
        Endpoint best = null;
        long bestScore = Long.MIN_VALUE;
        for (final Endpoint endpoint : endpoints)
        {
            if (endpoint.up)
            {
                final long score = mix(flowPort * 0x9E37_79B9_7F4A_7C15L ^ endpoint.seed);
                if (best == null || score > bestScore)
                {
                    best = endpoint;
                    bestScore = score;
                }
            }
        }
        return best;
    }

    private static long mix(final long value)
    {
        long h = value;
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        return h ^ (h >>> 33);
    }

    @Override
    void markEndpoint(final InetSocketAddress address, final boolean up)
    {
        for (final Endpoint endpoint : endpoints)
        {
            if (endpoint.address.equals(address))
            {
                endpoint.up = up;
                return;
            }
        }
        throw new IllegalArgumentException(targetId + " has no endpoint " + address + "; it has " + binding.endpoints());
    }

    @Override
    boolean matches(final TargetBinding other, final int otherMtu)
    {
        return binding == other && mtu == otherMtu;
    }

    @Override
    public void close()
    {
        for (final Endpoint endpoint : endpoints)
        {
            if (endpoint != null)
            {
                endpoint.close();
            }
        }
    }

    /**
     * One receiver and the sockets that send to it.
     */
    private static final class Endpoint
    {
        final InetSocketAddress address;
        final long seed;
        final DatagramChannel[] channels;
        final int[] ports;
        /** Written by any thread through {@link #markEndpoint}; read by the sender. */
        volatile boolean up = true;

        Endpoint(final InetSocketAddress address, final int sockets) throws IOException
        {
            this.address = address;
            this.seed = mix(address.hashCode() * 0x2545_F491_4F6C_DD1DL);
            this.channels = new DatagramChannel[sockets];
            this.ports = new int[sockets];
            final StandardProtocolFamily family = address.getAddress() instanceof Inet6Address ?
                StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
            try
            {
                for (int i = 0; i < sockets; i++)
                {
                    final DatagramChannel channel = DatagramChannel.open(family);
                    channels[i] = channel;
                    bindToDynamicPort(channel);
                    channel.connect(address);
                    ports[i] = ((InetSocketAddress)channel.getLocalAddress()).getPort();
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                close();
                throw ex;
            }
        }

        private static void bindToDynamicPort(final DatagramChannel channel) throws IOException
        {
            final ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int i = 0; i < PORT_TRIES; i++)
            {
                try
                {
                    channel.bind(new InetSocketAddress(random.nextInt(FlowHash.MIN_PORT, FlowHash.MAX_PORT + 1)));
                    return;
                }
                catch (final BindException ex)
                {
                    // taken: try another
                }
            }
            channel.bind(new InetSocketAddress(0));
        }

        void close()
        {
            for (final DatagramChannel channel : channels)
            {
                if (channel != null)
                {
                    try
                    {
                        channel.close();
                    }
                    catch (final IOException ex)
                    {
                        // closing a UDP socket does not fail in a way worth reporting
                    }
                }
            }
        }
    }
}
