package io.trafficmirror.core.engine;

import io.trafficmirror.core.capture.PcapWriter;
import io.trafficmirror.vxlan.OuterHeadersEncoder;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Arrays;

/**
 * A target that writes each copy to a pcap file as the target would capture it: outer Ethernet, IPv4, UDP and
 * VXLAN headers (AWS's defaults: TTL 255, ID 0, DF clear, UDP checksum 0) in front of the copied inner frame.
 * The outer source address is the source interface's primary IPv4 address (0.0.0.0 when it has none), the
 * destination the binding's target address. For tests and local analysis with tshark or Wireshark.
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

    PcapTarget(final String targetId, final TargetBinding binding, final int mtu, final int slotLength,
        final int slots, final int block, final RateLimitedLog log) throws IOException
    {
        super(targetId, slotLength, slots, block);
        this.binding = binding;
        this.mtu = mtu;
        this.log = log;
        this.destinationIpv4 = ipv4(binding.pcapTargetAddress());
        this.writer = PcapWriter.create(binding.pcapFile());
        Arrays.fill(encoderKeys, -1L);
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
        final int length = encoder.encodeInHeadroom(slot.buffer, Slot.HEADROOM, slot.innerLength);
        if (length < 0)
        {
            return FAILED;
        }
        final long epochNanos = epochNanosAtStart + (System.nanoTime() - nanoTimeAtStart);
        try
        {
            writer.write(epochNanos, slot.buffer, Slot.HEADROOM - encoder.headerLength(), length);
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
