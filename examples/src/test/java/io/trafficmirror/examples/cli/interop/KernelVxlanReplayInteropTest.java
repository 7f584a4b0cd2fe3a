package io.trafficmirror.examples.cli.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.MirrorSession;
import io.trafficmirror.core.config.json.AwsJsonConfiguration;
import io.trafficmirror.core.transport.DatagramTransport;
import io.trafficmirror.core.transport.NativeTransport;
import io.trafficmirror.examples.cli.MirrorCommand;
import io.trafficmirror.testing.Flows;
import io.trafficmirror.testing.MirroredTraffic;
import io.trafficmirror.testing.Pcap;
import io.trafficmirror.testing.TsharkCapture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code mirror replay} into the Linux kernel's own VXLAN implementation: the getting-started configuration
 * replays the frames of a mirrored instance (172.31.0.238, SSH among them) to a kernel {@code vxlan} device
 * (VNI 5569041, port 4789) in a network namespace the test creates, and what the kernel decapsulates on that
 * device must be exactly the frames that are not SSH. Needs root, {@code ip netns} and tshark; skipped with a
 * message otherwise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KernelVxlanReplayInteropTest
{
    private static final String WHAT = "the kernel VXLAN replay interop test";
    private static final String CONFIG = "getting-started.json";
    private static final String DEVICE = "vx0";
    private static final int SSH = 22;

    private NetworkNamespace namespace;

    @TempDir
    Path temp;

    @BeforeAll
    void createNamespace() throws Exception
    {
        InteropEnvironment.assumeRootWithTshark(WHAT);
        namespace = NetworkNamespace.create(WHAT);
        namespace.addVxlan(DEVICE, session().virtualNetworkId().getAsInt());
    }

    @AfterAll
    void deleteNamespace() throws Exception
    {
        if (namespace != null)
        {
            namespace.close();
        }
    }

    @ParameterizedTest
    @EnumSource(value = DatagramTransport.class, names = {"JDK", "NATIVE"})
    void replayDeliversExactlyTheNonSshFramesOfAnInstancesTrafficToTheKernelVxlanDevice(final DatagramTransport transport)
        throws Exception
    {
        assumeTrue(transport != DatagramTransport.NATIVE || NativeTransport.isAvailable(),
            () -> "the native transport is not available here: " + NativeTransport.unavailabilityReason());
        final List<byte[]> inner = MirroredTraffic.instanceFrames();
        final Path input = temp.resolve("instance-frames-" + transport + ".pcap");
        Pcap.write(input, inner);
        final List<byte[]> expected = new ArrayList<>();
        for (final byte[] frame : inner)
        {
            if (!isSsh(frame))
            {
                expected.add(frame);
            }
        }
        // tshark's own reading of the same input agrees on what is not SSH.
        assertThat(Commands.check("tshark", "-n", "-r", input.toString(), "-Y", "not tcp.port == " + SSH)
            .lines().count()).as("frames tshark finds not SSH").isEqualTo(expected.size());
        assertThat(expected).isNotEmpty().hasSizeLessThan(inner.size());

        final Path captured = temp.resolve("kernel-" + DEVICE + "-" + transport + ".pcap");
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final List<byte[]> delivered;
        try (TsharkCapture capture = TsharkCapture.start(namespace.exec(), DEVICE, null, expected.size(),
            Duration.ofSeconds(15), captured))
        {
            // The device is not promiscuous: the kernel hands packet sockets the decapsulated frames although their
            // destination MACs (the instance's peers') are not the device's; only then does the stack drop them.
            assertThat(namespace.ip("-d", "link", "show", DEVICE)).contains("promiscuity 0");

            final int exit = MirrorCommand.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err))
                .execute("replay", "--config", CONFIG, "--pcap", input.toString(), "--transport", transport.name(),
                    "--target", session().targetId() + "=" + namespace.address() + ":4789");
            assertThat(exit).as("mirror replay exit code; stderr: %s", err).isZero();

            delivered = capture.frames(Duration.ofSeconds(20));
            assertThat(delivered).as("frames out of the kernel's %s; tshark said: %s", DEVICE, capture.log())
                .hasSameSizeAs(expected);
        }
        // Each flow's frames come out whole and in the order they were replayed; a batched sender may interleave
        // different flows otherwise than the capture did (a flow's port picks its socket).
        final Map<Integer, List<byte[]>> expectedFlows = Flows.byFlow(expected);
        final Map<Integer, List<byte[]>> deliveredFlows = Flows.byFlow(delivered);
        assertThat(deliveredFlows.keySet()).isEqualTo(expectedFlows.keySet());
        for (final Map.Entry<Integer, List<byte[]>> flow : expectedFlows.entrySet())
        {
            final List<byte[]> flowOut = deliveredFlows.get(flow.getKey());
            for (int i = 0; i < flow.getValue().size(); i++)
            {
                assertThat(flowOut.get(i)).as("frame %d of flow %s out of the kernel's %s", i + 1, flow.getKey(), DEVICE)
                    .isEqualTo(flow.getValue().get(i));
            }
        }
        assertThat(err.toString()).doesNotContain("not every copy was sent");
    }

    private static MirrorSession session() throws Exception
    {
        final MirrorConfiguration configuration = AwsJsonConfiguration.defaults().read(Path.of(CONFIG));
        assertThat(configuration.sessions()).hasSize(1);
        return configuration.sessions().get(0);
    }

    /** TCP to or from port 22 over IPv4 or IPv6 (no extension headers, no VLAN tags: VPC frames carry none). */
    private static boolean isSsh(final byte[] frame)
    {
        final int etherType = u16(frame, 12);
        final int transport;
        final int protocol;
        if (etherType == 0x0800)
        {
            protocol = frame[23] & 0xFF;
            transport = 14 + (frame[14] & 0x0F) * 4;
        }
        else if (etherType == 0x86DD)
        {
            protocol = frame[20] & 0xFF;
            transport = 14 + 40;
        }
        else
        {
            return false;
        }
        return protocol == 6 && frame.length >= transport + 4 &&
            (u16(frame, transport) == SSH || u16(frame, transport + 2) == SSH);
    }

    private static int u16(final byte[] bytes, final int offset)
    {
        return (bytes[offset] & 0xFF) << 8 | bytes[offset + 1] & 0xFF;
    }
}
