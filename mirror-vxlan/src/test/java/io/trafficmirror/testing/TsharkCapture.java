package io.trafficmirror.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * tshark capturing on a device in the background into a classic pcap file, bounded by a packet count and a
 * duration. It captures without promiscuous mode ({@code -p}), so what it sees is what the kernel hands to packet
 * sockets on its own. A command prefix ({@code ip netns exec NAME}) runs it inside a network namespace.
 * {@link #close()} stops it if it is still running.
 */
public final class TsharkCapture implements AutoCloseable
{
    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Process process;
    private final Path file;
    private final String device;
    private final CountDownLatch capturing = new CountDownLatch(1);
    private final StringBuffer log = new StringBuffer();

    private TsharkCapture(final Process process, final Path file, final String device)
    {
        this.process = process;
        this.file = file;
        this.device = device;
        final Thread reader = new Thread(this::readLog, "tshark-log-" + device);
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code prefix... tshark -i device} and returns once tshark says it is capturing. */
    public static TsharkCapture start(final List<String> prefix, final String device, final String filter,
        final int packets, final Duration limit, final Path file) throws IOException, InterruptedException
    {
        final TsharkCapture capture = launch(prefix, device, filter, packets, limit, file);
        capture.awaitCapturing();
        return capture;
    }

    /** Starts tshark without waiting, so that several captures can start side by side; a null filter takes all. */
    public static TsharkCapture launch(final List<String> prefix, final String device, final String filter,
        final int packets, final Duration limit, final Path file) throws IOException
    {
        final List<String> command = new ArrayList<>(prefix);
        command.addAll(List.of("tshark", "-n", "-p", "-i", device, "-F", "pcap", "-w", file.toString(),
            "-c", Integer.toString(packets), "-a", "duration:" + limit.toSeconds()));
        if (filter != null)
        {
            command.addAll(List.of("-f", filter));
        }
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        return new TsharkCapture(process, file, device);
    }

    /** Returns once tshark says it is capturing; stops it and fails if it does not within 15 seconds. */
    public void awaitCapturing() throws IOException, InterruptedException
    {
        if (!capturing.await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
        {
            close();
            throw new IOException("tshark did not start capturing on " + device + " within " + START_TIMEOUT + ": "
                + log);
        }
        // "Capturing on" comes once dumpcap has opened the device; give it a moment to be reading from it.
        Thread.sleep(600);
    }

    /** Waits until tshark has stopped (packet count or duration reached) and returns what it wrote. */
    public List<Pcap.Packet> packets(final Duration timeout) throws IOException, InterruptedException
    {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
        {
            close();
            throw new IOException("tshark on " + device + " did not finish within " + timeout + ": " + log);
        }
        return Pcap.read(file);
    }

    /** As {@link #packets}, the captured bytes alone. */
    public List<byte[]> frames(final Duration timeout) throws IOException, InterruptedException
    {
        return packets(timeout).stream().map(Pcap.Packet::data).toList();
    }

    public String log()
    {
        return log.toString();
    }

    @Override
    public void close()
    {
        if (!process.isAlive())
        {
            return;
        }
        // SIGTERM lets tshark stop its dumpcap child and finish the file.
        process.destroy();
        try
        {
            if (process.waitFor(5, TimeUnit.SECONDS))
            {
                return;
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private void readLog()
    {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            for (String line = reader.readLine(); line != null; line = reader.readLine())
            {
                log.append(line).append('\n');
                if (line.contains("Capturing on"))
                {
                    capturing.countDown();
                }
            }
        }
        catch (final IOException ex)
        {
            // tshark has ended; the log so far is all there is.
        }
    }
}
