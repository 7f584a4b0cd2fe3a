package io.trafficmirror.core.engine;

import io.trafficmirror.vxlan.FlowHash;
import io.trafficmirror.vxlan.VxlanHeaderEncoder;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A target reached over UDP: one endpoint ({@code network-interface}) or a flow-hashed group
 * ({@code network-load-balancer}).
 * <p>
 * The operating system writes the outer IP and UDP headers, so a copy leaves as the 8-byte VXLAN header and the
 * inner frame, as a datagram's payload. The outer source port cannot be chosen per datagram through the JDK, so
 * each endpoint has a small pool of connected sockets bound to distinct ports in 49152..65535 (ephemeral ports
 * where those are taken); a flow's {@link FlowHash} port picks the socket, so both directions of a flow always
 * leave from the same port and a flow-hashing balancer at the target keeps them together. Connected sockets
 * also report ICMP port unreachable from the target ({@link UdpSockets}: counted against the endpoint, and the copy
 * whose send the report refused is sent again once). The outer IP and UDP headers
 * are the operating system's (its TTL, DF bit and UDP checksum): the JDK has no per-socket way to ask for AWS's
 * TTL 255, DF clear and checksum 0. A receiver decodes them all the same; the kernel's own vxlan device does.
 * <p>
 * In a group, each flow goes to the endpoint with the highest rendezvous hash among those not marked down; when
 * one is marked down, only the flows it had move.
 * <p>
 * Lanes: with more than one sender thread, the target has a lane per sender, and each endpoint a set of sockets per
 * lane ({@link UdpSockets}), so the senders never share a socket; a flow's port picks its lane, and within the lane
 * its socket. The sockets are the JDK's, or Netty's epoll sockets on the lane's sender loop, which send a batch per
 * system call.
 */
final class UdpTarget extends TargetRuntime
{
    /** Outer IPv4 + UDP + VXLAN headers counted against the MTU. */
    static final int IPV4_OVERHEAD = 20 + 8 + VxlanHeaderEncoder.HEADER_LENGTH;
    /** Outer IPv6 + UDP + VXLAN headers counted against the MTU. */
    static final int IPV6_OVERHEAD = 40 + 8 + VxlanHeaderEncoder.HEADER_LENGTH;

    private final TargetBinding binding;
    private final int mtu;
    private final Endpoint[] endpoints;
    /** A header encoder per lane: each lane's sender writes headers with its own. */
    private final VxlanHeaderEncoder[] vxlan;
    private final RateLimitedLog log;
    /** Sockets per endpoint in each lane. */
    private final int socketsPerLane;

    /**
     * @param endpointBlocks the counter block of each of the binding's endpoints, in its order.
     * @param loops one entry per lane: the lane's sender loop for Netty's sockets, or null for the JDK's.
     */
    UdpTarget(
        final String targetId,
        final TargetBinding binding,
        final int mtu,
        final int slotLength,
        final int slots,
        final int block,
        final int[] endpointBlocks,
        final int socketsPerEndpoint,
        final SenderLoop[] loops,
        final RateLimitedLog log) throws IOException
    {
        super(targetId, slotLength, slots, block, loops.length);
        this.binding = binding;
        this.mtu = mtu;
        this.log = log;
        this.socketsPerLane = Math.max(1, (socketsPerEndpoint + loops.length - 1) / loops.length);
        this.vxlan = new VxlanHeaderEncoder[loops.length];
        for (int lane = 0; lane < loops.length; lane++)
        {
            vxlan[lane] = new VxlanHeaderEncoder();
        }
        final List<InetSocketAddress> addresses = binding.endpoints();
        endpoints = new Endpoint[addresses.size()];
        try
        {
            for (int i = 0; i < endpoints.length; i++)
            {
                endpoints[i] = new Endpoint(addresses.get(i), loops.length);
                final int unreachable = endpointBlocks[i] + Counter.ENDPOINT_UNREACHABLE;
                for (int lane = 0; lane < loops.length; lane++)
                {
                    endpoints[i].lanes[lane] = loops[lane] == null ?
                        new JdkUdpSockets(targetId, addresses.get(i), socketsPerLane, unreachable, log) :
                        NettyUdpSockets.open(this, addresses.get(i), socketsPerLane, unreachable, loops[lane], log);
                }
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
            for (final UdpSockets sockets : endpoint.lanes)
            {
                count += sockets.ports().length;
            }
        }
        final int[] ports = new int[count];
        int i = 0;
        for (final Endpoint endpoint : endpoints)
        {
            for (final UdpSockets sockets : endpoint.lanes)
            {
                for (final int port : sockets.ports())
                {
                    ports[i++] = port;
                }
            }
        }
        return ports;
    }

    List<InetSocketAddress> endpointAddresses()
    {
        return binding.endpoints();
    }

    @Override
    int send(final Slot slot, final Sender sender)
    {
        final Endpoint endpoint = pick(slot.flowPort);
        if (endpoint == null)
        {
            if (log.allow(targetId))
            {
                log.warn(targetId, targetId + ": every endpoint is marked down; dropping copies");
            }
            return FAILED;
        }
        final int laneCount = lanes.length;
        final int lane = laneCount == 1 ? 0 : slot.flowPort % laneCount;
        final int start = Slot.HEADROOM - VxlanHeaderEncoder.HEADER_LENGTH;
        vxlan[lane].wrap(slot.buffer, start).encode(slot.vni);
        final int socket = (slot.flowPort / laneCount) % socketsPerLane;
        return endpoint.lanes[lane].send(socket, slot, start, Slot.HEADROOM + slot.innerLength, sender);
    }

    @Override
    void flush(final int lane)
    {
        for (final Endpoint endpoint : endpoints)
        {
            endpoint.lanes[lane].flush();
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
                for (final UdpSockets sockets : endpoint.lanes)
                {
                    if (sockets != null)
                    {
                        sockets.close();
                    }
                }
            }
        }
    }

    /**
     * One receiver and the sockets of each lane that send to it.
     */
    private static final class Endpoint
    {
        final InetSocketAddress address;
        final long seed;
        final UdpSockets[] lanes;
        /** Written by any thread through {@link #markEndpoint}; read by the senders. */
        volatile boolean up = true;

        Endpoint(final InetSocketAddress address, final int lanes)
        {
            this.address = address;
            this.seed = mix(address.hashCode() * 0x2545_F491_4F6C_DD1DL);
            this.lanes = new UdpSockets[lanes];
        }
    }
}
