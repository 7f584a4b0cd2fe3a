package io.trafficmirror.examples.cli;

import io.trafficmirror.testing.Pcap;
import io.trafficmirror.testing.SmallDisk;
import io.trafficmirror.testing.Tshark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.trafficmirror.examples.cli.ReceiverTraffic.fileNames;
import static io.trafficmirror.examples.cli.ReceiverTraffic.frame;
import static io.trafficmirror.examples.cli.ReceiverTraffic.javaCommand;
import static io.trafficmirror.examples.cli.ReceiverTraffic.vxlan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code mirror receive} at its edges: the output it is given, created at start or refused at once; the per-VNI
 * file cap under a real low open-file limit; and the final counters after SIGTERM. The last two run the command line
 * as a process of its own, on this test's class path.
 */
class ReceiveCommandTest
{
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern FINAL = Pattern.compile("received (\\d+), accepted (\\d+) \\((\\d+) bytes\\), "
        + "dropped by sender (\\d+), dropped by VNI (\\d+), malformed (\\d+), not Ethernet (\\d+), "
        + "dropped as the writer fell behind (\\d+), file open failed (\\d+), write failed (\\d+)");

    @TempDir
    Path temp;

    @Test
    void shouldWriteExactlyThePathItIsGivenAndCreateItBeforeAnyTraffic() throws IOException
    {
        final Path capture = temp.resolve("capture.cap");
        final CliRunner cli = new CliRunner();

        assertThat(cli.run("receive", "--listen", "127.0.0.1:0", "--pcap", capture.toString(), "--duration", "1"))
            .as(cli.err.toString()).isZero();

        assertThat(fileNames(temp)).containsExactly("capture.cap");
        assertThat(Files.size(capture)).as("a pcap header and no record").isEqualTo(24);
        assertThat(Pcap.read(capture)).isEmpty();
    }

    @Test
    void shouldCreateTheFirstRotatedFileAtStartAndSayHowRotatedFilesAreNamed() throws IOException
    {
        final CliRunner cli = new CliRunner();

        assertThat(cli.run("receive", "--listen", "127.0.0.1:0", "--pcap", temp.resolve("capture.cap").toString(),
            "--rotate-bytes", "4096", "--duration", "1")).as(cli.err.toString()).isZero();

        assertThat(fileNames(temp)).containsExactly("capture-000000.cap");
        final CliRunner help = new CliRunner();
        assertThat(help.run("receive", "--help")).isZero();
        assertThat(help.out.toString()).contains("OUT-000000.pcap").contains("vni-<N>-000000.pcap");
    }

    @Test
    @Timeout(20)
    void shouldFailAtOnceInOneLineWhenTheOutputCannotBeWritten() throws IOException
    {
        final Path file = Files.writeString(temp.resolve("a-file"), "x");
        final Path directory = Files.createDirectory(temp.resolve("a-directory"));
        assertFailsAtOnce(List.of("--pcap", temp.resolve("missing").resolve("x.pcap").toString()),
            temp.resolve("missing").resolve("x.pcap") + ": no such directory");
        assertFailsAtOnce(List.of("--pcap", file.resolve("x.pcap").toString()),
            file.resolve("x.pcap") + ": not a directory");
        assertFailsAtOnce(List.of("--pcap", directory.toString()), directory + ": is a directory");
        assertFailsAtOnce(List.of("--per-vni", temp.resolve("missing").toString()),
            temp.resolve("missing") + ": no such directory");
        assertFailsAtOnce(List.of("--per-vni", file.toString()), file + ": not a directory");
        assertThat(fileNames(temp)).containsExactly("a-directory", "a-file");
    }

    private static void assertFailsAtOnce(final List<String> output, final String problem)
    {
        final List<String> args = new ArrayList<>(List.of("receive", "--listen", "127.0.0.1:0", "--duration", "60"));
        args.addAll(output);
        final CliRunner cli = new CliRunner();

        assertThat(cli.run(args.toArray(String[]::new))).as(cli.err.toString()).isEqualTo(1);

        assertThat(cli.err.toString().lines().toList()).containsExactly("mirror receive: cannot write " + problem);
        assertThat(cli.out.toString()).isEmpty();
    }

    @Test
    void shouldRefuseAPerVniFileCapOutsideItsRangeInOneLine() throws IOException
    {
        for (final String bad : List.of("0", "-3", "16385", "many"))
        {
            final CliRunner cli = new CliRunner();
            assertThat(cli.run("receive", "--listen", "127.0.0.1:0", "--per-vni", temp.toString(), "--max-vni-files",
                bad)).as(cli.err.toString()).isEqualTo(2);
            assertThat(cli.err.toString().lines().findFirst()).hasValue("mirror receive: Invalid value for option "
                + "'--max-vni-files': '" + bad + "' is not a file count from 1 to 16384");
        }
        final CliRunner cli = new CliRunner();
        assertThat(cli.run("receive", "--pcap", temp.resolve("a.pcap").toString(), "--max-vni-files", "8"))
            .isEqualTo(2);
        assertThat(cli.err.toString()).contains("--max-vni-files is for --per-vni");
        assertThat(fileNames(temp)).isEmpty();
    }

    /**
     * A sender that picks many VNIs against a receiver whose open-file limit is low: the files it keeps open are
     * capped below the limit, the least recently used closed and later reopened for append, so every datagram is
     * written and every file is a whole pcap with one header.
     */
    @Test
    @Timeout(60)
    void shouldSurviveManyVnisUnderALowOpenFileLimitAndWriteEveryFrame() throws Exception
    {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "prlimit (util-linux) is not installed");
        final int vnis = 150;
        final int rounds = 2;
        // Room for the JVM's own descriptors (one per class path entry, and a few dozen more), and far fewer than
        // one per VNI.
        final int limit = System.getProperty("java.class.path").split(":").length + 100;
        final Path directory = Files.createDirectory(temp.resolve("per-vni"));
        final List<String> command = new ArrayList<>(List.of("/usr/bin/prlimit", "--nofile=" + limit + ":" + limit));
        command.addAll(javaCommand("receive", "--listen", "127.0.0.1:0", "--per-vni", directory.toString(),
            "--count", String.valueOf(vnis * rounds), "--duration", "30"));
        final Map<Integer, List<byte[]>> sent = new TreeMap<>();
        long dropped;
        try (Subprocess receiver = Subprocess.start(command, temp))
        {
            final int port = receiver.awaitPort();
            assertThat(receiver.err()).containsPattern("per-VNI files: at most \\d+ open at once");
            final int cap = Integer.parseInt(receiver.err().replaceAll("(?s).*per-VNI files: at most (\\d+).*", "$1"));
            assertThat(cap).as("the cap, below the limit").isLessThan(vnis).isPositive();
            try (DatagramChannel channel = DatagramChannel.open())
            {
                channel.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                final InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                int count = 0;
                for (int round = 0; round < rounds; round++)
                {
                    for (int vni = 1000; vni < 1000 + vnis; vni++)
                    {
                        final byte[] frame = frame(vni, 60 + round * 40 + vni % 7);
                        sent.computeIfAbsent(vni, v -> new ArrayList<>()).add(frame);
                        channel.send(ByteBuffer.wrap(vxlan(vni, frame)), target);
                        if (++count % 8 == 0)
                        {
                            TimeUnit.MILLISECONDS.sleep(2);
                        }
                    }
                }
                // What the kernel dropped for a full socket buffer (a busy machine) never reached the receiver.
                dropped = SocketDrops.of(port);
            }
            final int exit = receiver.awaitExit();
            assertThat(exit).as(receiver.describe()).isZero();
            final Matcher counters = FINAL.matcher(receiver.out());
            assertThat(counters.find()).as(receiver.describe()).isTrue();
            final long received = Long.parseLong(counters.group(1));
            final long accepted = Long.parseLong(counters.group(2));
            assertThat(received).isEqualTo(vnis * rounds - dropped);
            long drops = 0;
            for (int group = 4; group <= 10; group++)
            {
                drops += Long.parseLong(counters.group(group));
            }
            assertThat(accepted + drops).as("every datagram counted").isEqualTo(received);
            assertThat(counters.group(9)).as("file open failures").isEqualTo("0");
            assertThat(counters.group(10)).as("write failures").isEqualTo("0");
            if (dropped == 0)
            {
                assertThat(accepted).isEqualTo(vnis * rounds);
            }
        }
        assertThat(fileNames(directory)).hasSize(vnis);
        long written = 0;
        for (final Map.Entry<Integer, List<byte[]>> vni : sent.entrySet())
        {
            final Path file = directory.resolve("vni-" + vni.getKey() + ".pcap");
            final List<byte[]> frames = Pcap.frames(file);
            written += frames.size();
            // One header, whole records, this VNI's frames in the order sent (a kernel drop may leave one out).
            if (dropped == 0)
            {
                assertThat(frames).as(file.toString()).containsExactlyElementsOf(vni.getValue());
            }
            else
            {
                assertThat(frames).as(file.toString()).isSubsetOf(vni.getValue());
            }
        }
        assertThat(written).isPositive();
        if (Tshark.available())
        {
            assertThat(Tshark.assertReadsCleanly(directory.resolve("vni-1000.pcap"))).isBetween(1, rounds);
        }
    }

    /** SIGTERM ends the receiver as its own end would: the counters line printed, every frame in a whole file. */
    @Test
    @Timeout(60)
    void shouldPrintTheFinalCountersAndLeaveAWholeFileOnSigterm() throws Exception
    {
        final Path capture = temp.resolve("terminated.pcap");
        final int frames = 20;
        final List<byte[]> sent = new ArrayList<>();
        try (Subprocess receiver = Subprocess.start(
            javaCommand("receive", "--listen", "127.0.0.1:0", "--pcap", capture.toString()), temp))
        {
            final int port = receiver.awaitPort();
            try (DatagramChannel channel = DatagramChannel.open())
            {
                final InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                for (int i = 0; i < frames; i++)
                {
                    final byte[] frame = frame(i, 100 + i);
                    sent.add(frame);
                    channel.send(ByteBuffer.wrap(vxlan(7, frame)), target);
                }
            }
            receiver.awaitStandardError("received " + frames + ", accepted " + frames);

            receiver.terminate();

            final Matcher counters = FINAL.matcher(receiver.out());
            assertThat(counters.find()).as(receiver.describe()).isTrue();
            assertThat(counters.group(1)).isEqualTo(String.valueOf(frames));
            assertThat(counters.group(2)).isEqualTo(String.valueOf(frames));
        }
        assertThat(Pcap.frames(capture)).containsExactlyElementsOf(sent);
    }

    /** A disk that fills (a 128 KiB tmpfs, root only): exit 1 with the reason, counters that add up, whole records. */
    @Test
    @Timeout(60)
    void shouldStopWithTheReasonInOneLineAndExitOneWhenTheDiskFills() throws Exception
    {
        try (SmallDisk disk = SmallDisk.mount(temp, "128k"))
        {
            final Path capture = disk.path().resolve("full.pcap");
            final int port;
            try (DatagramChannel probe = DatagramChannel.open())
            {
                probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                port = ((InetSocketAddress)probe.getLocalAddress()).getPort();
            }
            final CliRunner cli = new CliRunner();
            final int[] exit = {-1};
            final Thread receiving = new Thread(() -> exit[0] = cli.run("receive", "--listen", "127.0.0.1:" + port,
                "--pcap", capture.toString(), "--duration", "30"));
            receiving.start();
            while (!cli.err.toString().contains("listening on") && receiving.isAlive())
            {
                TimeUnit.MILLISECONDS.sleep(10);
            }
            try (DatagramChannel channel = DatagramChannel.open())
            {
                final InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                // About 1 MB, eight times the disk, or less once the receiver has stopped.
                for (int i = 0; i < 1000 && receiving.isAlive(); i++)
                {
                    channel.send(ByteBuffer.wrap(vxlan(3, frame(i, 1000))), target);
                    if (i % 8 == 7)
                    {
                        TimeUnit.MILLISECONDS.sleep(2);
                    }
                }
            }
            receiving.join(20_000);

            assertThat(exit[0]).as(cli.err.toString()).isEqualTo(1);
            assertThat(cli.err.toString().lines().reduce((first, second) -> second).orElse(""))
                .isEqualTo("mirror receive: cannot write " + capture + ": no space left on device");
            final Matcher counters = FINAL.matcher(cli.out.toString());
            assertThat(counters.find()).as(cli.out.toString()).isTrue();
            long outcomes = Long.parseLong(counters.group(2));
            for (int group = 4; group <= 10; group++)
            {
                outcomes += Long.parseLong(counters.group(group));
            }
            assertThat(outcomes).as("every datagram counted").isEqualTo(Long.parseLong(counters.group(1)));
            assertThat(Long.parseLong(counters.group(10))).as("write failed").isPositive();
            assertThat(Pcap.frames(capture)).hasSize(Integer.parseInt(counters.group(2)));
        }
    }

    // ---------------------------------------------------------------------------------------------------------

    /** The kernel's count of datagrams dropped at a loopback UDP socket, from /proc/net/udp; 0 where unknown. */
    private static final class SocketDrops
    {
        static long of(final int port) throws IOException
        {
            final Path table = Path.of("/proc/net/udp");
            if (!Files.isReadable(table))
            {
                return 0;
            }
            final String local = String.format(":%04X", port);
            for (final String line : Files.readAllLines(table))
            {
                final String[] cells = line.trim().split("\\s+");
                if (cells.length > 12 && cells[1].endsWith(local))
                {
                    return Long.parseLong(cells[cells.length - 1]);
                }
            }
            return 0;
        }
    }

    /** The command line in a process of its own, its output in files, bounded in time and ended on close. */
    private static final class Subprocess implements AutoCloseable
    {
        private final Process process;
        private final Path out;
        private final Path err;

        private Subprocess(final Process process, final Path out, final Path err)
        {
            this.process = process;
            this.out = out;
            this.err = err;
        }

        static Subprocess start(final List<String> command, final Path directory) throws IOException
        {
            final Path out = Files.createTempFile(directory, "receive", ".out");
            final Path err = Files.createTempFile(directory, "receive", ".err");
            final Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .start();
            return new Subprocess(process, out, err);
        }

        int awaitPort() throws Exception
        {
            awaitStandardError("listening on");
            final Matcher port = LISTENING.matcher(err());
            assertThat(port.find()).as(describe()).isTrue();
            return Integer.parseInt(port.group(1));
        }

        void awaitStandardError(final String text) throws Exception
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!err().contains(text))
            {
                assertThat(process.isAlive()).as(describe()).isTrue();
                assertThat(System.nanoTime() - deadline).as("waiting for '%s': %s", text, describe()).isNegative();
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }

        int awaitExit() throws Exception
        {
            assertThat(process.waitFor(40, TimeUnit.SECONDS)).as(describe()).isTrue();
            return process.exitValue();
        }

        /** SIGTERM, as {@code kill} sends it, and the wait for the process to end. */
        void terminate() throws Exception
        {
            process.destroy();
            awaitExit();
        }

        String out() throws IOException
        {
            return Files.readString(out, StandardCharsets.UTF_8);
        }

        String err() throws IOException
        {
            return Files.readString(err, StandardCharsets.UTF_8);
        }

        String describe() throws IOException
        {
            return "stdout: " + out().strip() + "; stderr: " + err().strip();
        }

        @Override
        public void close() throws IOException
        {
            if (process.isAlive())
            {
                process.destroyForcibly();
                try
                {
                    process.waitFor(10, TimeUnit.SECONDS);
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                }
            }
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
