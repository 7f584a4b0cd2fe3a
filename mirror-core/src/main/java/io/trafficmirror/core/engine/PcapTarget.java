package io.trafficmirror.core.engine;

import io.trafficmirror.core.capture.PcapWriter;
import io.trafficmirror.core.config.MirrorTarget;
import io.trafficmirror.core.config.TargetType;
import io.trafficmirror.vxlan.OuterHeadersEncoder;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A target that writes each copy to a pcap file as the target would capture it: outer Ethernet, IPv4, UDP and
 * VXLAN headers (AWS's defaults: TTL 255, ID 0, DF clear, UDP checksum 0) in front of the copied inner frame.
 * The outer source address is the source interface's primary IPv4 address (0.0.0.0 when it has none), the
 * destination the binding's target address. For tests and local analysis with tshark or Wireshark.
 * <p>
 * For a Gateway Load Balancer endpoint target it writes what the appliances behind the load balancer receive: the
 * VXLAN packet inside a GENEVE envelope (UDP 6081) from the binding's target address, which stands for the load
 * balancer, to the binding's appliance address, with the load balancer's options: the endpoint id from the
 * target's {@code GatewayLoadBalancerEndpointId}, attachment id 0, and a flow cookie derived from the flow.
 */
final class PcapTarget extends TargetRuntime
{
    /** Outer encoders by (source address, VNI), so a steady stream of copies reconfigures nothing. */
    private static final int ENCODER_CACHE = 16;

    private final TargetBinding binding;
    private final int mtu;
    private final PcapWriter writer;
    private final int destinationIpv4;
    private final OuterHeadersEncoder[] encoders = new OuterHeadersEncoder[ENCODER_CACHE];
    private final long[] encoderKeys = new long[ENCODER_CACHE];
    private final long epochNanosAtStart = System.currentTimeMillis() * 1_000_000L;
    private final long nanoTimeAtStart = System.nanoTime();
    private final RateLimitedLog log;
    /** Whether copies go in a GENEVE envelope, as a Gateway Load Balancer delivers them. */
    private final boolean geneve;
    private final long endpointId;
    /** Where a copy in its envelope is put together, the headers in front of the inner bytes; null without. */
    private final ByteBuffer enveloped;

    PcapTarget(final MirrorTarget target, final TargetBinding binding, final int slotLength,
        final int slots, final int block, final RateLimitedLog log) throws IOException
    {
        super(target.id(), slotLength, slots, block);
        this.binding = binding;
        this.mtu = target.mtu();
        this.log = log;
        this.destinationIpv4 = ipv4(binding.pcapTargetAddress());
        this.geneve = target.type() == TargetType.GATEWAY_LOAD_BALANCER_ENDPOINT;
        this.endpointId = geneve ? endpointId(target.resourceId()) : 0;
        this.enveloped = geneve ? ByteBuffer.allocateDirect(OuterHeadersEncoder.HEADER_LENGTH_GENEVE_IPV4 + slotLength) : null;
        this.writer = PcapWriter.create(binding.pcapFile());
        Arrays.fill(encoderKeys, -1L);
    }

    /**
     * The 64-bit endpoint id a Gateway Load Balancer writes in its GENEVE option: the hexadecimal part of the
     * endpoint's id ({@code vpce-0123456789abcdef0}), its last 16 digits when it has more; a hash of the whole id
     * when it is not hexadecimal.
     */
    static long endpointId(final String resourceId)
    {
        final String digits = resourceId.substring(resourceId.indexOf('-') + 1);
        final String last = digits.length() > 16 ? digits.substring(digits.length() - 16) : digits;
        try
        {
            return Long.parseUnsignedLong(last, 16);
        }
        catch (final NumberFormatException ex)
        {
            return resourceId.hashCode() & 0xFFFF_FFFFL;
        }
    }

    private static int ipv4(final InetAddress address)
    {
        final byte[] bytes = address.getAddress();
        return (bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | bytes[3] & 0xFF;
    }

    @Override
    int send(final Slot slot, final Sender sender)
    {
        final OuterHeadersEncoder encoder = encoder(slot.sourceIpv4, slot.vni);
        encoder.sourcePort(slot.flowPort);
        final ByteBuffer packet;
        final int start;
        final int length;
        if (geneve)
        {
            // The slot's headroom holds plain VXLAN headers only: the enveloped copy is put together apart.
            final int headers = encoder.headerLength();
            final int inner = encoder.encodeHeaders(enveloped, 0, slot.buffer, Slot.HEADROOM, slot.innerLength);
            if (inner < 0)
            {
                return FAILED;
            }
            enveloped.put(headers, slot.buffer, Slot.HEADROOM, inner);
            packet = enveloped;
            start = 0;
            length = headers + inner;
        }
        else
        {
            length = encoder.encodeInHeadroom(slot.buffer, Slot.HEADROOM, slot.innerLength);
            if (length < 0)
            {
                return FAILED;
            }
            packet = slot.buffer;
            start = Slot.HEADROOM - encoder.headerLength();
        }
        final long epochNanos = epochNanosAtStart + (System.nanoTime() - nanoTimeAtStart);
        try
        {
            writer.write(epochNanos, packet, start, length);
            return SENT;
        }
        catch (final IOException ex)
        {
            if (log.allow(targetId))
            {
                log.warn(targetId, targetId + ": writing " + binding.pcapFile() + " failed: " + ex);
            }
            return FAILED;
        }
    }

    private OuterHeadersEncoder encoder(final int sourceIpv4, final int vni)
    {
        final long key = (sourceIpv4 & 0xFFFF_FFFFL) << 24 | vni;
        final int index = (int)(key ^ key >>> 17) & (ENCODER_CACHE - 1);
        OuterHeadersEncoder encoder = encoders[index];
        if (encoder == null || encoderKeys[index] != key)
        {
            encoder = new OuterHeadersEncoder()
                .ipv4Addresses(sourceIpv4, destinationIpv4)
                .vni(vni)
                .mtu(OuterHeadersEncoder.MAX_MTU)
                .packetLength(OuterHeadersEncoder.WHOLE_PACKET);
            if (geneve)
            {
                encoder.geneveEnvelope(binding.pcapTargetAddress(), binding.pcapApplianceAddress())
                    .gatewayLoadBalancerIds(endpointId, 0);
            }
            encoders[index] = encoder;
            encoderKeys[index] = key;
        }
        return encoder;
    }

    @Override
    boolean matches(final TargetBinding other, final int otherMtu)
    {
        return binding == other && mtu == otherMtu;
    }

    @Override
    boolean matches(final MirrorTarget target)
    {
        return geneve == (target.type() == TargetType.GATEWAY_LOAD_BALANCER_ENDPOINT) &&
            (!geneve || endpointId == endpointId(target.resourceId()));
    }

    @Override
    public void close()
    {
        try
        {
            writer.close();
        }
        catch (final IOException ex)
        {
            log.warn(targetId, targetId + ": closing " + binding.pcapFile() + " failed: " + ex);
        }
    }
}
