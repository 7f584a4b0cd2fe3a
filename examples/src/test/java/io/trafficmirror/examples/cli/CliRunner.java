package io.trafficmirror.examples.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * Runs the command line in-process and keeps what it printed.
 */
final class CliRunner
{
    final StringWriter out = new StringWriter();
    final StringWriter err = new StringWriter();

    int run(final String... args)
    {
        return MirrorCommand.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
            .execute(args);
    }
}
