package io.trafficmirror.examples.cli;

import io.trafficmirror.testing.FrameBuilder;
import io.trafficmirror.testing.Pcap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code mirror replay} loses nothing between the capture and the socket: a capture with many more frames than the
 * target has slots arrives whole at a loopback receiver, and {@code --pps} paces without losing a copy either.
 */
class ReplayLosslessCommandTest
{
    private static final String TARGET = "tmt-09e4f63ab1c7d2e45";
    private static final int VNI = 5_569_041;
    private static final int INSTANCE = FrameBuilder.ip(172, 31, 0, 238);
    /** The totals line: input, read, accepted, mirrored, four drop reasons, seconds, copies/s. */
    private static final Pattern TOTALS = Pattern.compile(
        "(?m)^\\S+\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+[\\d.]+\\s+\\d+$");

    /**
     * The instance's traffic with hosts outside its VPC, none of it SSH, so the getting-started filter mirrors every
     * frame: TCP and UDP, in and out, over many flows, 60 to 1,459 bytes.
     */
    private static List<byte[]> frames(final int count)
    {
        final List<byte[]> frames = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            final int peer = FrameBuilder.ip(203, 0, 113, 1 + i % 200);
            final int protocol = i % 3 == 0 ? 17 : 6;
            final int length = 60 + (i * 37) % 1400;
            frames.add(i % 2 == 0 ?
                FrameBuilder.ipv4(protocol, peer, INSTANCE, 40_000 + i % 5000, 443, length) :
                FrameBuilder.ipv4(protocol, INSTANCE, peer, 443, 40_000 + i % 5000, length));
        }
        return frames;
    }

    @Test
    @Timeout(180)
    void shouldDeliverEveryCopyOfACaptureWithManyMoreFramesThanSlots(@TempDir final Path dir) throws Exception
    {
        final List<byte[]> frames = frames(50_000);
        long bytes = 0;
        for (final byte[] frame : frames)
        {
            bytes += frame.length;
        }
        final Path capture = dir.resolve("many.pcap");
        Pcap.write(capture, frames);

        final long kernelDropsBefore = udpReceiveBufferErrors();
        final CliRunner replay = new CliRunner();
        final long[] arrived;
        try (Receiver receiver = new Receiver())
        {
            assertThat(replay.run("replay", "--config", "getting-started.json", "--pcap", capture.toString(),
                "--target", TARGET + "=127.0.0.1:" + receiver.port(), "--slots-per-target", "64"))
                .as(replay.err.toString()).isZero();
            arrived = receiver.await(frames.size(), TimeUnit.SECONDS.toNanos(20));
            assertThat(receiver.foreign.get()).as("datagrams that were not our VXLAN").isZero();
        }

        final long[] totals = totals(replay.out.toString());
        assertThat(totals[0]).as("read").isEqualTo(frames.size());
        assertThat(totals[1]).as("accepted").isEqualTo(frames.size());
        assertThat(totals[2]).as("mirrored").isEqualTo(frames.size());
        assertThat(totals[3] + totals[4] + totals[5] + totals[6]).as("dropped").isZero();
        assertThat(replay.out.toString()).containsPattern("tms-0c8f2e5b6a7d90123\\s+1\\s+" + frames.size() + "\\s+" +
            frames.size() + "\\s+" + bytes + "\\s+0\\s+0\\s+" + VNI);

        if (arrived[0] < frames.size())
        {
            // The engine handed every copy to the kernel; loopback UDP drops a datagram only when the receiving
            // socket's buffer is full, which a receiver starved of CPU on a busy machine can cause.
            final long kernelDrops = udpReceiveBufferErrors() - kernelDropsBefore;
            assumeTrue(kernelDrops == 0, "the kernel dropped " + kernelDrops + " datagrams at the receiving socket" +
                " (Udp RcvbufErrors): the test's receiver fell behind, " + arrived[0] + " of " + frames.size() +
                " arrived");
        }
        assertThat(arrived[0]).as("datagrams").isEqualTo(frames.size());
        assertThat(arrived[1]).as("inner bytes").isEqualTo(bytes);
    }

    @Test
    @Timeout(60)
    void shouldSayWhichEndpointReportedThatNothingListens(@TempDir final Path dir) throws Exception
    {
        final Path capture = dir.resolve("few.pcap");
        Pcap.write(capture, frames(50));
        final int closed;
        try (DatagramChannel probe = DatagramChannel.open())
        {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            closed = ((InetSocketAddress)probe.getLocalAddress()).getPort();
        }
        final CliRunner replay = new CliRunner();

        assertThat(replay.run("replay", "--config", "getting-started.json", "--pcap", capture.toString(), "--pps",
            "1000", "--target", TARGET + "=127.0.0.1:" + closed)).as(replay.err.toString()).isZero();

        final long[] totals = totals(replay.out.toString());
        assertThat(totals[2] + totals[4]).as("mirrored and send errors").isEqualTo(50);
        assertThat(replay.out.toString()).containsPattern(TARGET + " 127\\.0\\.0\\.1:" + closed +
            ": [1-9][0-9]* ICMP port unreachable report\\(s\\): nothing listened there, so copies counted mirrored " +
            "were lost");
    }

    @Test
    @Timeout(120)
    void shouldPaceWithoutLosingACopy(@TempDir final Path dir) throws Exception
    {
        final List<byte[]> frames = frames(3_000);
        final Path capture = dir.resolve("paced.pcap");
        Pcap.write(capture, frames);
        final CliRunner replay = new CliRunner();
        final long[] arrived;
        try (Receiver receiver = new Receiver())
        {
            assertThat(replay.run("replay", "--config", "getting-started.json", "--pcap", capture.toString(),
                "--target", TARGET + "=127.0.0.1:" + receiver.port(), "--pps", "20000", "--slots-per-target", "16"))
                .as(replay.err.toString()).isZero();
            arrived = receiver.await(frames.size(), TimeUnit.SECONDS.toNanos(20));
        }
        final long[] totals = totals(replay.out.toString());
        assertThat(totals[0]).as("read").isEqualTo(frames.size());
        assertThat(totals[1]).as("accepted").isEqualTo(frames.size());
        assertThat(totals[2]).as("mirrored").isEqualTo(frames.size());
        assertThat(totals[3] + totals[4] + totals[5] + totals[6]).as("dropped").isZero();
        assertThat(arrived[0]).isEqualTo(frames.size());
    }

    @Test
    void shouldScheduleByAbsoluteTime()
    {
        assertThat(ReplayCommand.dueNanos(0, 3)).isZero();
        assertThat(ReplayCommand.dueNanos(1, 3)).isEqualTo(333_333_333L);
        assertThat(ReplayCommand.dueNanos(3, 3)).isEqualTo(1_000_000_000L);
        assertThat(ReplayCommand.dueNanos(2_000_000, 7)).as("no drift from rounding each interval")
            .isEqualTo(2_000_000L * 1_000_000_000L / 7);
        assertThat(ReplayCommand.dueNanos(Integer.MAX_VALUE * 4L, NumberOptions.MAX_PPS)).as("no overflow")
            .isEqualTo(Integer.MAX_VALUE * 4L * 100);
    }

    @Test
    void shouldRefuseARateOrSlotCountOutOfRange() throws IOException
    {
        final Path capture = Files.createTempFile("replay-bad", ".pcap");
        try
        {
            Pcap.write(capture, frames(1));
            for (final String bad : List.of("-1", "10000001", "9223372036854775807"))
            {
                final CliRunner cli = new CliRunner();
                assertThat(cli.run("replay", "--config", "getting-started.json", "--pcap", capture.toString(), "--pps",
                    bad)).isEqualTo(MirrorCommand.EXIT_USAGE);
                assertThat(cli.err.toString()).contains("Invalid value for option '--pps': '" + bad + "' is not a " +
                    "rate from 0 (as fast as possible) to 10000000 packets per second");
            }
            for (final String bad : List.of("0", "1048577"))
            {
                final CliRunner cli = new CliRunner();
                assertThat(cli.run("replay", "--config", "getting-started.json", "--pcap", capture.toString(),
                    "--slots-per-target", bad)).isEqualTo(MirrorCommand.EXIT_USAGE);
                assertThat(cli.err.toString()).contains("Invalid value for option '--slots-per-target': '" + bad +
                    "' is not a slot count from 1 to 1048576");
            }
        }
        finally
        {
            Files.delete(capture);
        }
    }

    private static long[] totals(final String out)
    {
        final Matcher matcher = TOTALS.matcher(out);
        assertThat(matcher.find()).as(out).isTrue();
        final long[] totals = new long[7];
        for (int i = 0; i < totals.length; i++)
        {
            totals[i] = Long.parseLong(matcher.group(i + 1));
        }
        return totals;
    }

    /** The kernel's count of UDP datagrams dropped because a receiving socket's buffer was full. */
    private static long udpReceiveBufferErrors() throws IOException
    {
        final Path snmp = Path.of("/proc/net/snmp");
        if (!Files.isReadable(snmp))
        {
            return 0;
        }
        final List<String> lines = Files.readAllLines(snmp);
        for (int i = 0; i + 1 < lines.size(); i++)
        {
            if (lines.get(i).startsWith("Udp:") && lines.get(i + 1).startsWith("Udp:"))
            {
                final List<String> names = List.of(lines.get(i).trim().split("\\s+"));
                final String[] values = lines.get(i + 1).trim().split("\\s+");
                final int column = names.indexOf("RcvbufErrors");
                return column < 0 ? 0 : Long.parseLong(values[column]);
            }
        }
        return 0;
    }

    /**
     * Loopback UDP sockets sharing one port ({@code SO_REUSEPORT}), each with as large a receive buffer as the kernel
     * allows and a thread of its own, counting the VXLAN datagrams of the getting-started session and their inner
     * bytes: the kernel spreads the engine's source ports over them, so a burst has several buffers to land in.
     */
    private static final class Receiver implements AutoCloseable
    {
        private static final int SOCKETS = 4;

        private final List<DatagramChannel> channels = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();
        private final AtomicLong datagrams = new AtomicLong();
        private final AtomicLong innerBytes = new AtomicLong();
        private final AtomicLong foreign = new AtomicLong();
        private final int port;

        Receiver() throws IOException
        {
            int bound = 0;
            for (int i = 0; i < SOCKETS; i++)
            {
                final DatagramChannel channel = DatagramChannel.open();
                channels.add(channel);
                channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                channel.setOption(StandardSocketOptions.SO_RCVBUF, 64 << 20);
                channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), bound));
                bound = ((InetSocketAddress)channel.getLocalAddress()).getPort();
                final Thread thread = new Thread(() -> receive(channel), "replay-test-receiver-" + i);
                thread.setDaemon(true);
                thread.start();
                threads.add(thread);
            }
            port = bound;
        }

        int port()
        {
            return port;
        }

        private void receive(final DatagramChannel channel)
        {
            final ByteBuffer buffer = ByteBuffer.allocateDirect(65_536);
            try
            {
                while (true)
                {
                    buffer.clear();
                    channel.receive(buffer);
                    buffer.flip();
                    // VXLAN: flags with the I bit, 24 reserved bits, the VNI, 8 reserved bits, then the inner frame.
                    if (buffer.remaining() >= 8 && buffer.getInt(0) == 0x0800_0000 && buffer.getInt(4) >>> 8 == VNI)
                    {
                        innerBytes.addAndGet(buffer.remaining() - 8);
                        datagrams.incrementAndGet();
                    }
                    else
                    {
                        foreign.incrementAndGet();
                    }
                }
            }
            catch (final ClosedChannelException ex)
            {
                // Closed by the test: done.
            }
            catch (final IOException ex)
            {
                foreign.incrementAndGet();
            }
        }

        /** Waits until {@code expected} datagrams arrived or the time is up; returns datagrams and inner bytes. */
        long[] await(final long expected, final long timeoutNanos) throws InterruptedException
        {
            final long deadline = System.nanoTime() + timeoutNanos;
            long last = -1;
            long lastChange = System.nanoTime();
            while (datagrams.get() < expected && System.nanoTime() < deadline)
            {
                final long now = datagrams.get();
                if (now != last)
                {
                    last = now;
                    lastChange = System.nanoTime();
                }
                else if (System.nanoTime() - lastChange > TimeUnit.SECONDS.toNanos(2))
                {
                    break; // nothing more is coming
                }
                Thread.sleep(5);
            }
            return new long[]{datagrams.get(), innerBytes.get()};
        }

        @Override
        public void close() throws IOException
        {
            for (final DatagramChannel channel : channels)
            {
                channel.close();
            }
            try
            {
                for (final Thread thread : threads)
                {
                    thread.join(5_000);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
