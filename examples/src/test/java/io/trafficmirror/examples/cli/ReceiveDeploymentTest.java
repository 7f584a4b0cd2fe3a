package io.trafficmirror.examples.cli;

import io.trafficmirror.testing.FrameBuilder;
import io.trafficmirror.testing.Pcap;
import io.trafficmirror.testing.SmallDisk;
import io.trafficmirror.testing.Tshark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.trafficmirror.examples.cli.ReceiverTraffic.fileNames;
import static io.trafficmirror.examples.cli.ReceiverTraffic.frame;
import static io.trafficmirror.examples.cli.ReceiverTraffic.javaCommand;
import static io.trafficmirror.examples.cli.ReceiverTraffic.vxlan;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mirror receive} as deployed: behind a load balancer that checks its health, streaming to an analyzer
 * through a pipe, rotating its files by time, and naming them after the sessions of a configuration. Each runs the
 * command line on loopback, in-process or (for the pipe) as processes of their own.
 */
class ReceiveDeploymentTest
{
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern HEALTH = Pattern.compile("health checks on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern FINAL = Pattern.compile("received (\\d+), accepted (\\d+) \\((\\d+) bytes\\), "
        + "dropped by sender (\\d+), dropped by VNI (\\d+), malformed (\\d+), not Ethernet (\\d+), "
        + "dropped as the writer fell behind (\\d+), file open failed (\\d+), write failed (\\d+), "
        + "dropped for no session (\\d+)");
    private static final Pattern JSON = Pattern.compile("\\{\"received\":(\\d+),\"accepted\":(\\d+),"
        + "\"accepted_bytes\":\\d+,\"dropped_sender\":\\d+,\"dropped_vni\":\\d+,\"dropped_no_session\":\\d+,"
        + "\"malformed\":\\d+,\"not_ethernet\":\\d+,\"dropped_writer_behind\":\\d+,\"file_open_failed\":\\d+,"
        + "\"write_failed\":(\\d+)}\n");
    private static final Pattern PERIOD_FILE = Pattern.compile("cap-(\\d{8}T\\d{6}Z)\\.pcap");
    private static final String SESSION = "tms-0c8f2e5b6a7d90123";
    private static final int SESSION_VNI = 5569041;

    @TempDir
    Path temp;

    /**
     * Health checks between the bursts of a blast: each TCP connect that sends nothing and closes, and each HTTP GET
     * (of "/" and of another path) answered 200 with the counters, which only grow; and every datagram counted.
     */
    @Test
    @Timeout(30)
    void shouldAnswerTcpAndHttpHealthChecksDuringABlastAndCountEveryDatagram() throws Exception
    {
        final Path capture = temp.resolve("blast.pcap");
        final int bursts = 30;
        final int burst = 100;
        final InProcess receiver = InProcess.start("receive", "--listen", "127.0.0.1:0", "--pcap", capture.toString(),
            "--health-check", "127.0.0.1:0", "--count", String.valueOf(bursts * burst), "--duration", "15");
        final int port = receiver.port(LISTENING);
        final int healthPort = receiver.port(HEALTH);
        final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        long lastReceived = 0;
        try (DatagramChannel channel = DatagramChannel.open())
        {
            final InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            for (int b = 0; b < bursts; b++)
            {
                try (Socket tcp = new Socket())
                {
                    tcp.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), healthPort), 5000);
                    assertThat(tcp.isConnected()).isTrue();
                }
                final HttpResponse<String> answer;
                try
                {
                    answer = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + healthPort + (b % 2 == 0 ? "/" : "/healthz")))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                }
                catch (final IOException ex)
                {
                    throw new AssertionError("burst " + b + ": " + receiver.cli.err, ex);
                }
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
                assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
                final Matcher json = JSON.matcher(answer.body());
                assertThat(json.matches()).as(answer.body()).isTrue();
                final long received = Long.parseLong(json.group(1));
                assertThat(received).isGreaterThanOrEqualTo(lastReceived).isLessThanOrEqualTo((long)b * burst);
                lastReceived = received;
                // The burst after the check: the last one reaches --count, which ends the receiver.
                for (int i = 0; i < burst; i++)
                {
                    channel.send(ByteBuffer.wrap(vxlan(9, frame(b * burst + i, 200))), target);
                }
                TimeUnit.MILLISECONDS.sleep(5);
            }
        }
        assertThat(receiver.awaitExit()).as(receiver.cli.err.toString()).isZero();

        final long[] counters = finalCounters(receiver.cli.out.toString());
        assertThat(counters[1] + drops(counters)).as("received = accepted + drops").isEqualTo(counters[0]);
        assertThat(counters[1]).isPositive();
        assertThat(Pcap.frames(capture)).hasSize((int)counters[1]);
    }

    /** A disk that fills (root only): the HTTP check answers 503 with the counters, TCP still connects, exit 1. */
    @Test
    @Timeout(30)
    void shouldAnswer503OnceTheReceiverHasFailedUntilItsDurationIsUp() throws Exception
    {
        try (SmallDisk disk = SmallDisk.mount(temp, "128k"))
        {
            final Path capture = disk.path().resolve("full.pcap");
            final InProcess receiver = InProcess.start("receive", "--listen", "127.0.0.1:0", "--pcap",
                capture.toString(), "--health-check", "127.0.0.1:0", "--duration", "3");
            final int port = receiver.port(LISTENING);
            final int healthPort = receiver.port(HEALTH);
            try (DatagramChannel channel = DatagramChannel.open())
            {
                final InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                // About 1 MB, eight times the disk, or less once the receiver has failed.
                for (int i = 0; i < 1000 && !receiver.cli.err.toString().contains("answer 503"); i++)
                {
                    channel.send(ByteBuffer.wrap(vxlan(3, frame(i, 1000))), target);
                    if (i % 8 == 7)
                    {
                        TimeUnit.MILLISECONDS.sleep(2);
                    }
                }
            }
            receiver.awaitError("health checks answer 503 until stopped or 3 s from the start");

            final HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + healthPort + "/")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(503);
            final Matcher json = JSON.matcher(answer.body());
            assertThat(json.matches()).as(answer.body()).isTrue();
            assertThat(Long.parseLong(json.group(3))).as("write failed").isPositive();
            try (Socket tcp = new Socket())
            {
                tcp.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), healthPort), 5000);
            }

            assertThat(receiver.awaitExit()).as(receiver.cli.err.toString()).isEqualTo(1);
            assertThat(receiver.cli.err.toString()).contains("mirror receive: cannot write " + capture
                + ": no space left on device");
            final long[] counters = finalCounters(receiver.cli.out.toString());
            assertThat(counters[1] + drops(counters)).as("received = accepted + drops").isEqualTo(counters[0]);
            assertThat(Pcap.frames(capture)).hasSize((int)counters[1]);
        }
    }

    /**
     * {@code mirror receive --pcap - | tshark -i -}: tshark decodes the frames while the receiver runs; when tshark
     * exits, the receiver's next write meets the closed pipe and it ends cleanly, saying so on standard error.
     */
    @Test
    @Timeout(60)
    void shouldStreamPcapToTsharkLiveAndEndCleanlyWhenTsharkExits() throws Exception
    {
        Tshark.assumeAvailable();
        final Path receiverErr = temp.resolve("receive.err");
        final Path decoded = temp.resolve("tshark.out");
        final Path tsharkErr = temp.resolve("tshark.err");
        final List<Process> pipeline = ProcessBuilder.startPipeline(List.of(
            new ProcessBuilder(javaCommand("receive", "--listen", "127.0.0.1:0", "--pcap", "-", "--duration", "40"))
                .redirectError(receiverErr.toFile()),
            new ProcessBuilder("tshark", "-l", "-n", "-i", "-", "-T", "fields", "-e", "udp.dstport")
                .redirectOutput(decoded.toFile()).redirectError(tsharkErr.toFile())));
        final Process receiver = pipeline.get(0);
        final Process tshark = pipeline.get(1);
        try
        {
            final int port = awaitPort(receiver, receiverErr);
            final int frames = 5;
            final List<String> ports = new ArrayList<>();
            try (DatagramChannel channel = DatagramChannel.open())
            {
                final InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                for (int i = 0; i < frames; i++)
                {
                    ports.add(String.valueOf(5000 + i));
                    channel.send(ByteBuffer.wrap(vxlan(11, FrameBuilder.udp(FrameBuilder.ip(10, 0, 0, 1),
                        FrameBuilder.ip(10, 0, 0, 2), 40000, 5000 + i).build())), target);
                }
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (Files.readAllLines(decoded).size() < frames)
                {
                    assertThat(System.nanoTime() - deadline).as("tshark decoding: " + Files.readString(tsharkErr))
                        .isNegative();
                    assertThat(tshark.isAlive()).as(Files.readString(tsharkErr)).isTrue();
                    TimeUnit.MILLISECONDS.sleep(20);
                }
                assertThat(receiver.isAlive()).as("decoded while the receiver still runs").isTrue();
                assertThat(Files.readAllLines(decoded)).containsExactlyElementsOf(ports);

                tshark.destroy();
                assertThat(tshark.waitFor(20, TimeUnit.SECONDS)).isTrue();
                // The receiver learns of the closed pipe at its next write.
                for (int i = 0; i < 400 && receiver.isAlive(); i++)
                {
                    channel.send(ByteBuffer.wrap(vxlan(11, frame(i, 100))), target);
                    TimeUnit.MILLISECONDS.sleep(50);
                }
            }
            assertThat(receiver.waitFor(20, TimeUnit.SECONDS)).isTrue();
            final String err = Files.readString(receiverErr);
            assertThat(receiver.exitValue()).as(err).isZero();
            assertThat(err).contains("mirror receive: standard output closed (broken pipe); stopped");
            final long[] counters = finalCounters(err);
            assertThat(counters[1] + drops(counters)).as("received = accepted + drops").isEqualTo(counters[0]);
            assertThat(counters[1]).isGreaterThanOrEqualTo(frames);
            assertThat(counters[8]).as("lost to the closed pipe").isPositive();
        }
        finally
        {
            for (final Process process : pipeline)
            {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * One-second periods over a stream of frames that spans more than three: files named by their period's start,
     * each a whole pcap whose records fall in its period, and all of them together the frames sent, in order.
     */
    @Test
    @Timeout(30)
    void shouldRotateByTimeIntoWholeFilesNamedByTheirPeriodThatTogetherHoldEveryFrameInOrder() throws Exception
    {
        final Path directory = Files.createDirectory(temp.resolve("rotated"));
        final int frames = 14;
        final InProcess receiver = InProcess.start("receive", "--listen", "127.0.0.1:0", "--pcap",
            directory.resolve("cap.pcap").toString(), "--rotate-seconds", "1", "--count", String.valueOf(frames),
            "--duration", "20");
        final int port = receiver.port(LISTENING);
        final List<byte[]> sent = new ArrayList<>();
        try (DatagramChannel channel = DatagramChannel.open())
        {
            final InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            for (int i = 0; i < frames; i++)
            {
                final byte[] frame = frame(i, 80 + i);
                sent.add(frame);
                channel.send(ByteBuffer.wrap(vxlan(5, frame)), target);
                TimeUnit.MILLISECONDS.sleep(250);
            }
        }
        assertThat(receiver.awaitExit()).as(receiver.cli.err.toString()).isZero();

        final List<String> names = fileNames(directory);
        assertThat(names.size()).as(names.toString()).isGreaterThanOrEqualTo(3);
        final List<byte[]> union = new ArrayList<>();
        for (final String name : names)
        {
            final Matcher period = PERIOD_FILE.matcher(name);
            assertThat(period.matches()).as(name).isTrue();
            final long start = LocalDateTime.parse(period.group(1), DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"))
                .toEpochSecond(ZoneOffset.UTC);
            final Path file = directory.resolve(name);
            union.addAll(Pcap.frames(file));
            assertThat(recordSeconds(file)).as(name).allSatisfy(seconds -> assertThat(seconds).isEqualTo(start));
        }
        assertThat(union).containsExactlyElementsOf(sent);
    }

    /** With a configuration: the session's VNI has a file named after the session; other VNIs are counted drops. */
    @Test
    @Timeout(30)
    void shouldNamePerVniFilesAfterTheirSessionAndCountFramesOfVnisNoSessionOwns() throws Exception
    {
        final Path directory = Files.createDirectory(temp.resolve("sessions"));
        final int known = 4;
        final int unknown = 3;
        final InProcess receiver = InProcess.start("receive", "--listen", "127.0.0.1:0", "--per-vni",
            directory.toString(), "--config", "getting-started.json", "--count", String.valueOf(known),
            "--duration", "20");
        final int port = receiver.port(LISTENING);
        final List<byte[]> sent = new ArrayList<>();
        try (DatagramChannel channel = DatagramChannel.open())
        {
            final InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            for (int i = 0; i < unknown; i++)
            {
                channel.send(ByteBuffer.wrap(vxlan(SESSION_VNI + 1 + i, frame(i, 90))), target);
            }
            for (int i = 0; i < known; i++)
            {
                final byte[] frame = frame(100 + i, 120);
                sent.add(frame);
                channel.send(ByteBuffer.wrap(vxlan(SESSION_VNI, frame)), target);
            }
        }
        assertThat(receiver.awaitExit()).as(receiver.cli.err.toString()).isZero();

        assertThat(receiver.cli.err.toString()).contains("sessions: 1 from getting-started.json");
        assertThat(fileNames(directory)).containsExactly(SESSION + "-vni-" + SESSION_VNI + ".pcap");
        assertThat(Pcap.frames(directory.resolve(SESSION + "-vni-" + SESSION_VNI + ".pcap")))
            .containsExactlyElementsOf(sent);
        final long[] counters = finalCounters(receiver.cli.out.toString());
        assertThat(counters[0]).isEqualTo(known + unknown);
        assertThat(counters[1]).isEqualTo(known);
        assertThat(counters[9]).as("dropped for no session").isEqualTo(unknown);
        assertThat(counters[1] + drops(counters)).isEqualTo(counters[0]);
    }

    @Test
    void shouldRefuseRotationForAStreamAndABadPeriodInOneLine()
    {
        final CliRunner stream = new CliRunner();
        assertThat(stream.run("receive", "--pcap", "-", "--rotate-seconds", "5")).isEqualTo(2);
        assertThat(stream.err.toString().lines().findFirst())
            .hasValue("mirror receive: --rotate-bytes and --rotate-seconds are for files, not --pcap -");
        assertThat(stream.out.toString()).isEmpty();
        final CliRunner bad = new CliRunner();
        assertThat(bad.run("receive", "--pcap", temp.resolve("x.pcap").toString(), "--rotate-seconds", "-1"))
            .isEqualTo(2);
        assertThat(bad.err.toString().lines().findFirst()).hasValue("mirror receive: Invalid value for option "
            + "'--rotate-seconds': '-1' is not 0 (never rotate) or a period from 1 to 31536000 seconds");
    }

    // ---------------------------------------------------------------------------------------------------------

    /** The command line run on a thread of this process. */
    private static final class InProcess
    {
        final CliRunner cli = new CliRunner();
        private final Thread thread;
        private volatile int exit = -1;

        private InProcess(final String... args)
        {
            thread = new Thread(() -> exit = cli.run(args), "mirror-receive-test");
        }

        static InProcess start(final String... args)
        {
            final InProcess running = new InProcess(args);
            running.thread.start();
            return running;
        }

        int port(final Pattern line) throws Exception
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (true)
            {
                final Matcher matcher = line.matcher(cli.err.toString());
                if (matcher.find())
                {
                    return Integer.parseInt(matcher.group(1));
                }
                assertThat(thread.isAlive()).as(cli.err.toString()).isTrue();
                assertThat(System.nanoTime() - deadline).as(cli.err.toString()).isNegative();
                TimeUnit.MILLISECONDS.sleep(10);
            }
        }

        void awaitError(final String text) throws Exception
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!cli.err.toString().contains(text))
            {
                assertThat(System.nanoTime() - deadline).as(cli.err.toString()).isNegative();
                TimeUnit.MILLISECONDS.sleep(10);
            }
        }

        int awaitExit() throws InterruptedException
        {
            thread.join(25_000);
            assertThat(thread.isAlive()).as(cli.err.toString()).isFalse();
            return exit;
        }
    }

    private static int awaitPort(final Process process, final Path err) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            final Matcher matcher = LISTENING.matcher(Files.readString(err));
            if (matcher.find())
            {
                return Integer.parseInt(matcher.group(1));
            }
            assertThat(process.isAlive()).as(Files.readString(err)).isTrue();
            assertThat(System.nanoTime() - deadline).as(Files.readString(err)).isNegative();
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /**
     * The final counters line's numbers but accepted bytes: received, accepted, then each drop reason in the line's
     * order (write failed at 8, dropped for no session at 9).
     */
    private static long[] finalCounters(final String text)
    {
        final Matcher matcher = FINAL.matcher(text);
        assertThat(matcher.find()).as(text).isTrue();
        final long[] values = new long[10];
        for (int i = 0; i < values.length; i++)
        {
            values[i] = Long.parseLong(matcher.group(i < 2 ? i + 1 : i + 2));
        }
        return values;
    }

    /** The sum of every drop reason. */
    private static long drops(final long[] counters)
    {
        long sum = 0;
        for (int i = 2; i < counters.length; i++)
        {
            sum += counters[i];
        }
        return sum;
    }

    /** Each record's whole seconds, read from the file's record headers (the writer's byte order from its magic). */
    private static List<Long> recordSeconds(final Path file) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.getInt(0) != 0xa1b2c3d4 && bytes.getInt(0) != 0xa1b23c4d)
        {
            bytes.order(ByteOrder.BIG_ENDIAN);
        }
        final List<Long> seconds = new ArrayList<>();
        int at = 24;
        while (at < bytes.limit())
        {
            seconds.add(Integer.toUnsignedLong(bytes.getInt(at)));
            at += 16 + bytes.getInt(at + 8);
        }
        return seconds;
    }

}
