package io.trafficmirror.examples.cli.interop;

import static org.assertj.core.api.Assertions.assertThat;

import io.trafficmirror.testing.Pcap;
import io.trafficmirror.testing.Tshark;
import io.trafficmirror.testing.TsharkCapture;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mirror receive} from the Linux kernel's own VXLAN implementation: two kernel {@code vxlan} devices in a
 * network namespace the test creates (VNIs 5569041 and 4242, port 4789, remote the root side of a veth pair)
 * encapsulate UDP datagrams sent through them to a static neighbour; {@code mirror receive}, in this JVM, listens
 * on the root side. What it writes must be, byte for byte, what tshark captured on the devices, and tshark must
 * read it without complaint. Needs root, {@code ip netns} and tshark; skipped with a message otherwise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KernelVxlanReceiveInteropTest
{
    private static final String WHAT = "the kernel VXLAN receive interop test";
    private static final Device FIRST = new Device("vx0", 5_569_041, "192.0.2.1/25", "192.0.2.2", "02:00:5e:00:00:02");
    private static final Device SECOND = new Device("vx1", 4_242, "192.0.2.129/25", "192.0.2.130", "02:00:5e:00:00:03");
    private static final Duration RECEIVE_LIMIT = Duration.ofSeconds(15);
    private static final Duration CAPTURE_LIMIT = Duration.ofSeconds(20);

    /** A kernel VXLAN device inside the namespace, with an address and one static neighbour behind it. */
    private record Device(String name, int vni, String address, String neighbour, String neighbourMac)
    {
    }

    private NetworkNamespace namespace;

    @TempDir
    Path temp;

    @BeforeAll
    void createNamespace() throws Exception
    {
        InteropEnvironment.assumeRootWithTshark(WHAT);
        namespace = NetworkNamespace.create(WHAT);
        for (final Device device : List.of(FIRST, SECOND))
        {
            namespace.addVxlan(device.name(), device.vni());
            namespace.ip("addr", "add", device.address(), "dev", device.name());
            // A permanent neighbour: the kernel sends straight away, with no ARP in between.
            namespace.ip("neigh", "add", device.neighbour(), "lladdr", device.neighbourMac(), "dev", device.name(),
                "nud", "permanent");
        }
    }

    @AfterAll
    void deleteNamespace()
    {
        if (namespace != null)
        {
            namespace.close();
        }
    }

    @Test
    void receiveWritesTheFramesTheKernelEncapsulatedByteForByteAndDropsOtherVnis() throws Exception
    {
        final Path output = temp.resolve("received.pcap");
        final int[] sizes = {1, 200, 1400};
        final int dropped = 2;
        final List<byte[]> sent;
        final List<byte[]> sentOnOtherVni;
        // The captures start first (tshark can take seconds to start on a busy machine), then the receiver.
        try (TsharkCapture first = TsharkCapture.launch(namespace.exec(), FIRST.name(), null, sizes.length,
                CAPTURE_LIMIT, temp.resolve("kernel-" + FIRST.name() + ".pcap"));
            TsharkCapture second = TsharkCapture.launch(namespace.exec(), SECOND.name(), null, dropped,
                CAPTURE_LIMIT, temp.resolve("kernel-" + SECOND.name() + ".pcap")))
        {
            first.awaitCapturing();
            second.awaitCapturing();
            try (InProcessCommand receive = InProcessCommand.start(RECEIVE_LIMIT, "receive",
                "--listen", namespace.rootAddress() + ":4789", "--pcap", output.toString(),
                "--allow", namespace.address() + "/32", "--vni", Integer.toString(FIRST.vni()),
                "--count", Integer.toString(sizes.length), "--duration", Long.toString(RECEIVE_LIMIT.toSeconds())))
            {
                receive.awaitStandardError("listening on", Duration.ofSeconds(10));
                assertThat(receive.err()).as("mirror receive standard error").contains("listening on");

                // The other VNI's frames go first, so they reach the receiver before it stops at --count.
                send(SECOND, 64, 65);
                send(FIRST, sizes);
                sentOnOtherVni = second.frames(CAPTURE_LIMIT.plusSeconds(5));
                sent = first.frames(CAPTURE_LIMIT.plusSeconds(5));

                assertThat(receive.awaitExit(RECEIVE_LIMIT.plusSeconds(5)))
                    .as("mirror receive exit code; stderr: %s", receive.err()).isZero();
                assertThat(receive.out()).contains("dropped by VNI " + sentOnOtherVni.size() + ",");
            }
        }
        assertThat(sentOnOtherVni).hasSize(dropped);
        assertThat(sent).hasSize(sizes.length);
        assertSameFrames(Pcap.frames(output), sent, output);
        assertThat(Tshark.assertReadsCleanly(output)).isEqualTo(sent.size());
    }

    @Test
    void receivePerVniWritesEachKernelDevicesFramesByteForByteToItsOwnFile() throws Exception
    {
        final Path directory = Files.createDirectory(temp.resolve("per-vni"));
        final int[] sizes = {10, 300, 1000};
        final List<byte[]> sentFirst;
        final List<byte[]> sentSecond;
        try (TsharkCapture first = TsharkCapture.launch(namespace.exec(), FIRST.name(), null, sizes.length,
                CAPTURE_LIMIT, temp.resolve("kernel-" + FIRST.name() + ".pcap"));
            TsharkCapture second = TsharkCapture.launch(namespace.exec(), SECOND.name(), null, sizes.length,
                CAPTURE_LIMIT, temp.resolve("kernel-" + SECOND.name() + ".pcap")))
        {
            first.awaitCapturing();
            second.awaitCapturing();
            try (InProcessCommand receive = InProcessCommand.start(RECEIVE_LIMIT, "receive",
                "--listen", namespace.rootAddress() + ":4789", "--per-vni", directory.toString(),
                "--count", Integer.toString(2 * sizes.length), "--duration", Long.toString(RECEIVE_LIMIT.toSeconds())))
            {
                receive.awaitStandardError("listening on", Duration.ofSeconds(10));
                assertThat(receive.err()).as("mirror receive standard error").contains("listening on");

                for (final int size : sizes)
                {
                    send(FIRST, size);
                    send(SECOND, size + 1);
                }
                sentFirst = first.frames(CAPTURE_LIMIT.plusSeconds(5));
                sentSecond = second.frames(CAPTURE_LIMIT.plusSeconds(5));

                assertThat(receive.awaitExit(RECEIVE_LIMIT.plusSeconds(5)))
                    .as("mirror receive exit code; stderr: %s", receive.err()).isZero();
            }
        }
        assertThat(sentFirst).hasSize(sizes.length);
        assertThat(sentSecond).hasSize(sizes.length);
        try (Stream<Path> files = Files.list(directory))
        {
            assertThat(files.map(f -> f.getFileName().toString()))
                .containsExactlyInAnyOrder("vni-" + FIRST.vni() + ".pcap", "vni-" + SECOND.vni() + ".pcap");
        }
        final Path firstFile = directory.resolve("vni-" + FIRST.vni() + ".pcap");
        final Path secondFile = directory.resolve("vni-" + SECOND.vni() + ".pcap");
        assertSameFrames(Pcap.frames(firstFile), sentFirst, firstFile);
        assertSameFrames(Pcap.frames(secondFile), sentSecond, secondFile);
        assertThat(Tshark.assertReadsCleanly(firstFile)).isEqualTo(sentFirst.size());
        assertThat(Tshark.assertReadsCleanly(secondFile)).isEqualTo(sentSecond.size());
    }

    /** Sends one UDP datagram per size (that many bytes of payload) through the device to its neighbour. */
    private void send(final Device device, final int... sizes) throws Exception
    {
        final StringBuilder script = new StringBuilder();
        for (final int size : sizes)
        {
            script.append("printf '%0").append(size).append("d' 0 > /dev/udp/").append(device.neighbour())
                .append("/9999; ");
        }
        namespace.bash(script.toString());
    }

    private static void assertSameFrames(final List<byte[]> written, final List<byte[]> sent, final Path file)
    {
        assertThat(written).as("frames in %s", file).hasSameSizeAs(sent);
        for (int i = 0; i < sent.size(); i++)
        {
            assertThat(written.get(i)).as("frame %d of %s", i + 1, file).isEqualTo(sent.get(i));
        }
    }
}
