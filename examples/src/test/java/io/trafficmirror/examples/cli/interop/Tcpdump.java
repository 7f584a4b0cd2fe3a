package io.trafficmirror.examples.cli.interop;

import io.trafficmirror.testing.Pcap;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * {@code tcpdump -i DEVICE -w FILE} of whole frames, in a namespace or not, started before traffic and stopped
 * (SIGTERM, which makes it write out what it holds) after it.
 */
final class Tcpdump implements AutoCloseable
{
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final Process process;
    private final Path log;
    private final Path file;

    private Tcpdump(final Process process, final Path log, final Path file)
    {
        this.process = process;
        this.log = log;
        this.file = file;
    }

    /** Starts the capture and returns once tcpdump says it listens. */
    static Tcpdump start(final List<String> prefix, final String device, final Path file) throws Exception
    {
        final List<String> command = new ArrayList<>(prefix);
        // Immediate mode: without it libpcap hands frames over a block at a time, and those of a block not yet full
        // when tcpdump is stopped are never written.
        command.addAll(List.of("tcpdump", "--immediate-mode", "-i", device, "-n", "-U", "-s", "0", "-w", file.toString()));
        final Path log = Files.createTempFile(file.getParent(), "tcpdump", ".log");
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        final Tcpdump capture = new Tcpdump(process, log, file);
        final long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Files.readString(log, StandardCharsets.UTF_8).contains("listening on"))
        {
            if (!process.isAlive() || System.nanoTime() > deadline)
            {
                capture.close();
                throw new IOException("tcpdump on " + device + " did not start: " + Files.readString(log));
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
        return capture;
    }

    /**
     * Waits until the file holds {@code count} frames that match, for traffic that must have been written before
     * the capture stops (tcpdump writes each frame as it gets it, but gets it a little later than it was sent).
     *
     * @return false when they were not all there within the timeout; what is there is for the caller to judge.
     */
    boolean await(final Predicate<byte[]> match, final int count, final Duration timeout) throws Exception
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline)
        {
            try
            {
                if (Pcap.frames(file).stream().filter(match).count() >= count)
                {
                    return true;
                }
            }
            catch (final IOException ex)
            {
                // A record half written: read again.
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return false;
    }

    /** Stops the capture and returns the frames it holds. */
    List<byte[]> stop() throws Exception
    {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            throw new IOException("tcpdump did not stop: " + Files.readString(log));
        }
        return Pcap.frames(file);
    }

    @Override
    public void close()
    {
        if (process.isAlive())
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
