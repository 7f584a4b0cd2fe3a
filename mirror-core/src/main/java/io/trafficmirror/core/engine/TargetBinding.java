package io.trafficmirror.core.engine;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where the copies for one configured target really go. A configuration names targets by AWS resource (an ENI
 * id, an NLB ARN); a binding says which UDP endpoints, in-process consumer or file stands behind each.
 * <ul>
 *   <li>{@link #udp(InetSocketAddress)}: one VXLAN receiver, as a {@code network-interface} target;</li>
 *   <li>{@link #loadBalanced(List)}: a group of receivers, as a {@code network-load-balancer} target; a symmetric
 *       flow hash pins each flow to one endpoint, and when an endpoint is marked down only its flows move;</li>
 *   <li>{@link #consumer(MirroredPacketConsumer)}: a callback in this process;</li>
 *   <li>{@link #pcap(Path, InetAddress)}: a pcap file of the VXLAN packets, for tests and local analysis.</li>
 * </ul>
 * Immutable. Addresses must be resolved ({@link InetSocketAddress#isUnresolved()} false) so that sending never
 * waits for DNS.
 */
public final class TargetBinding
{
    enum Kind
    {
        UDP,
        CONSUMER,
        PCAP
    }

    private final Kind kind;
    private final List<InetSocketAddress> endpoints;
    private final MirroredPacketConsumer consumer;
    private final Path pcapFile;
    private final InetAddress pcapTargetAddress;
    private final InetAddress pcapApplianceAddress;

    private TargetBinding(
        final Kind kind,
        final List<InetSocketAddress> endpoints,
        final MirroredPacketConsumer consumer,
        final Path pcapFile,
        final InetAddress pcapTargetAddress,
        final InetAddress pcapApplianceAddress)
    {
        this.kind = kind;
        this.endpoints = endpoints;
        this.consumer = consumer;
        this.pcapFile = pcapFile;
        this.pcapTargetAddress = pcapTargetAddress;
        this.pcapApplianceAddress = pcapApplianceAddress;
    }

    /**
     * One VXLAN receiver.
     *
     * @param endpoint its address and port (4789 for an AWS-like target).
     * @return the binding.
     */
    public static TargetBinding udp(final InetSocketAddress endpoint)
    {
        return loadBalanced(List.of(endpoint));
    }

    /**
     * A group of VXLAN receivers that share the flows.
     *
     * @param endpoints the receivers, at least one, no duplicates.
     * @return the binding.
     */
    public static TargetBinding loadBalanced(final List<InetSocketAddress> endpoints)
    {
        final List<InetSocketAddress> copy = List.copyOf(endpoints);
        if (copy.isEmpty())
        {
            throw new IllegalArgumentException("a UDP target needs at least one endpoint");
        }
        for (final InetSocketAddress endpoint : copy)
        {
            if (endpoint.isUnresolved() || endpoint.getPort() == 0)
            {
                throw new IllegalArgumentException("endpoint " + endpoint + " must be a resolved address with a port");
            }
        }
        if (copy.stream().distinct().count() != copy.size())
        {
            throw new IllegalArgumentException("endpoints listed twice in " + copy);
        }
        return new TargetBinding(Kind.UDP, copy, null, null, null, null);
    }

    /**
     * An in-process consumer.
     *
     * @param consumer called from a sender thread for each copy.
     * @return the binding.
     */
    public static TargetBinding consumer(final MirroredPacketConsumer consumer)
    {
        return new TargetBinding(
            Kind.CONSUMER, List.of(), Objects.requireNonNull(consumer, "consumer"), null, null, null);
    }

    /**
     * A pcap file of the VXLAN packets the target would receive, outer headers included. The file is created (or
     * replaced) when the engine starts using the target, and closed when the engine closes. For a Gateway Load
     * Balancer endpoint target the packets are what an appliance behind the load balancer receives, the VXLAN
     * packet in a GENEVE envelope, sent from and to the target address; {@link #pcap(Path, InetAddress, InetAddress)}
     * names the appliance.
     *
     * @param file          the file to write.
     * @param targetAddress the outer destination address written in each packet: the target's IPv4 address.
     * @return the binding.
     */
    public static TargetBinding pcap(final Path file, final InetAddress targetAddress)
    {
        return pcap(file, targetAddress, targetAddress);
    }

    /**
     * A pcap file as {@link #pcap(Path, InetAddress)}, naming the appliance that a Gateway Load Balancer endpoint
     * target's copies reach in their GENEVE envelope. For other target types the appliance address is not used.
     *
     * @param file             the file to write.
     * @param targetAddress    the VXLAN packets' destination, the target's IPv4 address; for a Gateway Load
     *                         Balancer endpoint also the GENEVE envelope's source, standing for the load balancer.
     * @param applianceAddress the GENEVE envelope's destination, the appliance's IPv4 address.
     * @return the binding.
     */
    public static TargetBinding pcap(final Path file, final InetAddress targetAddress, final InetAddress applianceAddress)
    {
        if (!(targetAddress instanceof Inet4Address))
        {
            throw new IllegalArgumentException("a pcap target's outer address must be IPv4, not " + targetAddress);
        }
        if (!(applianceAddress instanceof Inet4Address))
        {
            throw new IllegalArgumentException("a pcap target's appliance address must be IPv4, not " + applianceAddress);
        }
        return new TargetBinding(
            Kind.PCAP, List.of(), null, Objects.requireNonNull(file, "file"), targetAddress, applianceAddress);
    }

    Kind kind()
    {
        return kind;
    }

    /**
     * @return the UDP endpoints; empty for other kinds.
     */
    public List<InetSocketAddress> endpoints()
    {
        return endpoints;
    }

    MirroredPacketConsumer consumer()
    {
        return consumer;
    }

    Path pcapFile()
    {
        return pcapFile;
    }

    InetAddress pcapTargetAddress()
    {
        return pcapTargetAddress;
    }

    InetAddress pcapApplianceAddress()
    {
        return pcapApplianceAddress;
    }

    @Override
    public String toString()
    {
        return kind == Kind.UDP ? "udp" + endpoints : kind == Kind.PCAP ? "pcap " + pcapFile : "consumer";
    }
}
