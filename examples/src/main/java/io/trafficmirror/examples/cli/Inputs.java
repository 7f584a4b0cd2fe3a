package io.trafficmirror.examples.cli;

import io.trafficmirror.core.capture.CaptureReader;
import io.trafficmirror.core.config.MirrorConfiguration;
import io.trafficmirror.core.config.Quotas;
import io.trafficmirror.core.config.json.AwsJsonConfiguration;
import io.trafficmirror.filter.InvalidConfigurationException;
import io.trafficmirror.filter.Violation;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loading what subcommands read, with the command line's error conventions: a missing file is a bad argument
 * (exit 2); a file that cannot be used is a runtime failure (exit 1), reported in one line per problem.
 */
final class Inputs
{
    private Inputs()
    {
    }

    /**
     * Thrown to end a subcommand with an exit code after its message was printed.
     */
    static final class Exit extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        final int code;

        Exit(final int code)
        {
            super(null, null, false, false);
            this.code = code;
        }
    }

    static MirrorConfiguration configuration(
        final CommandLine.Model.CommandSpec spec, final Path file, final boolean embeddedQuotas)
    {
        return configuration(spec.qualifiedName(), spec.commandLine().getErr(), file, embeddedQuotas);
    }

    /**
     * As {@link #configuration(CommandLine.Model.CommandSpec, Path, boolean)}, for a command run without picocli.
     */
    static MirrorConfiguration configuration(
        final String command, final PrintWriter err, final Path file, final boolean embeddedQuotas)
    {
        requireFile(command, err, file);
        final AwsJsonConfiguration reader = embeddedQuotas ?
            AwsJsonConfiguration.defaults().withQuotas(Quotas.embedded()) : AwsJsonConfiguration.defaults();
        try
        {
            return reader.read(file);
        }
        catch (final InvalidConfigurationException ex)
        {
            err.println(command + ": " + file + ": " + ex.violations().size() + " problem(s)");
            for (final Violation violation : ex.violations())
            {
                err.println("  " + violation.message());
            }
            throw new Exit(MirrorCommand.EXIT_FAILURE);
        }
        catch (final IOException ex)
        {
            err.println(command + ": cannot read " + file + ": " + ex.getMessage());
            throw new Exit(MirrorCommand.EXIT_FAILURE);
        }
    }

    static CaptureReader capture(final CommandLine.Model.CommandSpec spec, final Path file)
    {
        return capture(spec.qualifiedName(), spec.commandLine().getErr(), file);
    }

    static CaptureReader capture(final String command, final PrintWriter err, final Path file)
    {
        requireFile(command, err, file);
        try
        {
            return CaptureReader.open(file);
        }
        catch (final IOException ex)
        {
            err.println(command + ": " + ex.getMessage());
            throw new Exit(MirrorCommand.EXIT_FAILURE);
        }
    }

    static void requireFile(final CommandLine.Model.CommandSpec spec, final Path file)
    {
        requireFile(spec.qualifiedName(), spec.commandLine().getErr(), file);
    }

    static void requireFile(final String command, final PrintWriter err, final Path file)
    {
        if (!Files.isRegularFile(file))
        {
            err.println(command + ": no such file: " + file);
            throw new Exit(MirrorCommand.EXIT_USAGE);
        }
    }

    static void fail(final CommandLine.Model.CommandSpec spec, final int code, final String message)
    {
        fail(spec.qualifiedName(), spec.commandLine().getErr(), code, message);
    }

    static void fail(final String command, final PrintWriter err, final int code, final String message)
    {
        err.println(command + ": " + message);
        throw new Exit(code);
    }
}
