package io.trafficmirror.benchmarks.vxlan;

import io.trafficmirror.vxlan.OuterHeadersEncoder;
import io.trafficmirror.vxlan.ResultCode;
import io.trafficmirror.vxlan.VxlanFrameDecoder;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IllegalRawDataException;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.IpV4Rfc791Tos;
import org.pcap4j.packet.UdpPacket;
import org.pcap4j.packet.UnknownPacket;
import org.pcap4j.packet.namednumber.EtherType;
import org.pcap4j.packet.namednumber.IpNumber;
import org.pcap4j.packet.namednumber.IpVersion;
import org.pcap4j.packet.namednumber.UdpPort;
import org.pcap4j.util.MacAddress;

/**
 * Cost of wrapping one mirrored frame in outer Ethernet/IPv4/UDP/VXLAN headers ({@link #encode}) and of finding
 * VNI and inner frame in a received packet ({@link #decode}), beside the same work done with Pcap4J's packet
 * classes ({@link #pcap4jBuild}, {@link #pcap4jParse}). {@code size} is the inner frame's length; at 9000 the
 * encoder cuts it to the default 9001-byte MTU, as a mirror session would. Both sides use AWS's defaults
 * (TTL 255, ID 0, DF clear, UDP checksum 0), so neither reads the inner bytes. {@link #encodeGeneve} writes the same
 * VXLAN packet inside the GENEVE envelope a Gateway Load Balancer delivers (118 header bytes), {@link #encode} being
 * its baseline.
 *
 * <p>Run: {@code java -jar mirror-benchmarks/target/benchmarks.jar VxlanBenchmark -prof gc}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class VxlanBenchmark
{
    private static final int VNI = 5569041;
    private static final int VXLAN_PORT = 4789;

    /** Inner frame length in bytes. */
    @Param({"64", "1500", "9000"})
    public int size;

    private final OuterHeadersEncoder encoder = new OuterHeadersEncoder();
    private final VxlanFrameDecoder decoder = new VxlanFrameDecoder();
    private ByteBuffer frameWithHeadroom;
    private ByteBuffer packet;
    private int packetLength;
    private int headroom;

    private final OuterHeadersEncoder geneveEncoder = new OuterHeadersEncoder();
    private ByteBuffer geneveFrameWithHeadroom;
    private int geneveHeadroom;

    private EthernetPacket.Builder pcap4jBuilder;
    private byte[] packetBytes;

    /**
     * Builds the inner frame (Ethernet, IPv4, TCP, zero payload) and the encoded packet the decoders read.
     *
     * @throws UnknownHostException never: the addresses are literals.
     */
    @Setup
    public void setUp() throws UnknownHostException
    {
        final byte[] targetMac = {0x06, 0x1d, 0x3c, 0x34, (byte)0xd0, 0x77};
        final byte[] sourceMac = {0x06, (byte)0xe2, 0x43, (byte)0x9c, (byte)0xff, 0x5e};
        final InetAddress source = InetAddress.getByName("198.18.0.1");
        final InetAddress target = InetAddress.getByName("198.18.0.2");
        encoder.macAddresses(targetMac, sourceMac).addresses(source, target).vni(VNI);
        headroom = encoder.headerLength();

        final byte[] inner = innerFrame(size);
        frameWithHeadroom = ByteBuffer.allocateDirect(headroom + size);
        frameWithHeadroom.put(headroom, inner);

        geneveEncoder.macAddresses(targetMac, sourceMac).addresses(source, target).vni(VNI)
            .geneveEnvelope(InetAddress.getByName("198.19.0.1"), InetAddress.getByName("198.19.0.2"))
            .gatewayLoadBalancerIds(0x0123_4567_89AB_CDEFL, 0);
        geneveHeadroom = geneveEncoder.headerLength();
        geneveFrameWithHeadroom = ByteBuffer.allocateDirect(geneveHeadroom + size);
        geneveFrameWithHeadroom.put(geneveHeadroom, inner);

        packet = ByteBuffer.allocateDirect(headroom + size);
        packet.put(headroom, inner);
        packetLength = encoder.encodeInHeadroom(packet, headroom, size);
        if (packetLength < 0)
        {
            throw new IllegalStateException("encode failed: " + ResultCode.describe(packetLength));
        }
        packetBytes = new byte[packetLength];
        packet.get(0, packetBytes);

        // Pcap4J has no VXLAN class: the VXLAN header and the (equally cut) inner frame are its UDP payload.
        final int innerLength = packetLength - headroom;
        final byte[] udpPayload = new byte[8 + innerLength];
        udpPayload[0] = 0x08;
        udpPayload[4] = (byte)(VNI >>> 16);
        udpPayload[5] = (byte)(VNI >>> 8);
        udpPayload[6] = (byte)VNI;
        System.arraycopy(inner, 0, udpPayload, 8, innerLength);
        final int sourcePort = ((packetBytes[34] & 0xFF) << 8) | (packetBytes[35] & 0xFF);
        final UdpPacket.Builder udp = new UdpPacket.Builder()
            .srcPort(UdpPort.getInstance((short)sourcePort))
            .dstPort(UdpPort.getInstance((short)VXLAN_PORT))
            .srcAddr(source)
            .dstAddr(target)
            .payloadBuilder(new UnknownPacket.Builder().rawData(udpPayload))
            .correctLengthAtBuild(true)
            .correctChecksumAtBuild(false);
        final IpV4Packet.Builder ip = new IpV4Packet.Builder()
            .version(IpVersion.IPV4)
            .tos(IpV4Rfc791Tos.newInstance((byte)0))
            .ttl((byte)255)
            .protocol(IpNumber.UDP)
            .identification((short)0)
            .dontFragmentFlag(false)
            .srcAddr((Inet4Address)source)
            .dstAddr((Inet4Address)target)
            .payloadBuilder(udp)
            .correctLengthAtBuild(true)
            .correctChecksumAtBuild(true);
        pcap4jBuilder = new EthernetPacket.Builder()
            .dstAddr(MacAddress.getByAddress(targetMac))
            .srcAddr(MacAddress.getByAddress(sourceMac))
            .type(EtherType.IPV4)
            .payloadBuilder(ip)
            .paddingAtBuild(true);
        final byte[] built = pcap4jBuilder.build().getRawData();
        if (built.length != packetLength)
        {
            throw new IllegalStateException("Pcap4J built " + built.length + " bytes, the encoder " + packetLength);
        }
    }

    /**
     * Writes the 50 outer header bytes in front of the frame, port from the flow hash, lengths and checksum
     * for the (maybe cut) frame.
     *
     * @return the packet's length.
     */
    @Benchmark
    public int encode()
    {
        return encoder.encodeInHeadroom(frameWithHeadroom, headroom, size);
    }

    /**
     * Writes the 118 header bytes of the VXLAN packet in its GENEVE envelope: the 50 of {@link #encode}, then the
     * envelope's Ethernet, IPv4, UDP and GENEVE with its options over the VXLAN packet's Ethernet header.
     *
     * @return the packet's length.
     */
    @Benchmark
    public int encodeGeneve()
    {
        return geneveEncoder.encodeInHeadroom(geneveFrameWithHeadroom, geneveHeadroom, size);
    }

    /**
     * Parses Ethernet, IPv4, UDP and VXLAN of a received frame.
     *
     * @return VNI plus inner frame offset and length, so that nothing is dead code.
     */
    @Benchmark
    public int decode()
    {
        final int result = decoder.decodeFrame(packet, 0, packetLength);
        return result + decoder.vni() + decoder.innerOffset() + decoder.innerLength();
    }

    /**
     * Builds the same packet from Pcap4J's builders, set up in advance.
     *
     * @return the packet's bytes.
     */
    @Benchmark
    public byte[] pcap4jBuild()
    {
        return pcap4jBuilder.build().getRawData();
    }

    /**
     * Parses the same packet with Pcap4J and reads the VNI and inner length from its UDP payload.
     *
     * @return VNI plus inner frame length.
     * @throws IllegalRawDataException never: the packet is well formed.
     */
    @Benchmark
    public int pcap4jParse() throws IllegalRawDataException
    {
        final EthernetPacket ethernet = EthernetPacket.newPacket(packetBytes, 0, packetLength);
        final UdpPacket udp = ethernet.get(UdpPacket.class);
        final byte[] vxlan = udp.getPayload().getRawData();
        final int vni = ((vxlan[4] & 0xFF) << 16) | ((vxlan[5] & 0xFF) << 8) | (vxlan[6] & 0xFF);
        return vni + vxlan.length - 8;
    }

    private static byte[] innerFrame(final int size)
    {
        final byte[] frame = new byte[size];
        final ByteBuffer b = ByteBuffer.wrap(frame);
        b.put(new byte[] {0x02, 0x29, 0x23, 0x74, (byte)0xc7, 0x7d})
            .put(new byte[] {0x02, (byte)0x85, 0x69, (byte)0xc2, (byte)0xab, 0x02});
        b.putShort((short)0x0800);
        b.put((byte)0x45).put((byte)0).putShort((short)(size - 14)).putShort((short)0x1234).putShort((short)0x4000)
            .put((byte)64).put((byte)6).putShort((short)0)
            .put(new byte[] {(byte)172, 31, 0, (byte)238}).put(new byte[] {18, (byte)196, (byte)145, (byte)224});
        b.putShort((short)22).putShort((short)37180).putInt(1).putInt(0).put((byte)0x50).put((byte)0x10).putShort((short)512)
            .putShort((short)0).putShort((short)0);
        for (int i = b.position(); i < size; i++)
        {
            frame[i] = (byte)i;
        }
        return frame;
    }
}
