package io.trafficmirror.examples.cli.interop;

import io.trafficmirror.examples.cli.MirrorCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A {@code mirror} subcommand running in this JVM on its own thread, for commands that wait for traffic such as
 * {@code mirror receive}. The command must bound itself (for receive: {@code --count} and {@code --duration});
 * {@link #close()} waits for it up to a limit, so a failed test does not leave it holding its socket.
 */
final class InProcessCommand implements AutoCloseable
{
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final Thread thread;
    private final Duration limit;
    private volatile int exitCode = -1;

    private InProcessCommand(final Duration limit, final String... args)
    {
        this.limit = limit;
        this.thread = new Thread(() -> exitCode = MirrorCommand.commandLine()
            .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args), "mirror-" + args[0]);
        thread.setDaemon(true);
    }

    /** Starts the command; it must end on its own within the limit. */
    static InProcessCommand start(final Duration limit, final String... args)
    {
        final InProcessCommand command = new InProcessCommand(limit, args);
        command.thread.start();
        return command;
    }

    /** Waits until the command has printed the text on standard error, or has ended. */
    void awaitStandardError(final String text, final Duration timeout) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!err.toString().contains(text) && thread.isAlive() && System.nanoTime() < deadline)
        {
            TimeUnit.MILLISECONDS.sleep(10);
        }
    }

    /** Waits for the command to end and returns its exit code, or -1 if it is still running after the timeout. */
    int awaitExit(final Duration timeout) throws InterruptedException
    {
        thread.join(timeout.toMillis());
        return thread.isAlive() ? -1 : exitCode;
    }

    String out()
    {
        return out.toString();
    }

    String err()
    {
        return err.toString();
    }

    @Override
    public void close()
    {
        try
        {
            thread.join(limit.toMillis());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
