package io.trafficmirror.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * The {@code mirror} command line: {@code java -jar examples/target/mirror.jar <subcommand>}.
 * Exit codes: 0 success, 1 a runtime failure (such as an invalid configuration, or a file this process may not
 * read), 2 bad arguments (an unknown or missing option, a number out of its range, a path that names no regular
 * file). Each error is one line on standard error, named by the subcommand; a parsing error adds a line pointing to
 * {@code --help}.
 */
@Command(
    name = "mirror",
    mixinStandardHelpOptions = true,
    versionProvider = MirrorCommand.Version.class,
    description = "Amazon VPC Traffic Mirroring in the JVM: check configurations, mirror packets, receive VXLAN.")
public final class MirrorCommand implements Runnable
{
    /** Exit code of a runtime failure. */
    static final int EXIT_FAILURE = 1;

    /** Exit code of bad arguments. */
    static final int EXIT_USAGE = 2;

    /**
     * Standard output as {@link #main} gives it to the subcommands: the writer picocli would make, known by identity
     * so that a command writing much can write the bytes to the file descriptor itself ({@link CsvOutput}).
     */
    static final PrintWriter STANDARD_OUT =
        new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, Charset.defaultCharset())), true);

    /** Standard error as {@link #main} gives it to the subcommands. */
    static final PrintWriter STANDARD_ERR =
        new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.err, Charset.defaultCharset())), true);

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * Runs the command line.
     *
     * @param args the arguments.
     */
    public static void main(final String[] args)
    {
        final int code = execute(args, STANDARD_OUT, STANDARD_ERR);
        STANDARD_OUT.flush();
        STANDARD_ERR.flush();
        System.exit(code);
    }

    /**
     * Runs the command line as {@link #main} does. {@code mirror explain} with plain options runs without picocli
     * ({@link ExplainCommand#parsePlain}), with the same output, messages and exit codes.
     *
     * @return the exit code.
     */
    static int execute(final String[] args, final PrintWriter out, final PrintWriter err)
    {
        final ExplainCommand explain = ExplainCommand.parsePlain(args);
        if (explain == null)
        {
            return commandLine(args.length == 0 ? "" : args[0]).setOut(out).setErr(err).execute(args);
        }
        final String name = "mirror explain";
        try
        {
            return explain.run(name, out, err);
        }
        catch (final RuntimeException ex)
        {
            return failure(ex, name, err);
        }
    }

    /** The exit code of an exception a subcommand threw, its message printed unless it already was. */
    static int failure(final Exception ex, final String name, final PrintWriter err)
    {
        if (ex instanceof Inputs.Exit)
        {
            return ((Inputs.Exit)ex).code;
        }
        err.println(name + ": " + ex);
        return EXIT_FAILURE;
    }

    /**
     * @return the command line with every subcommand, ready to execute; exit codes as documented on the class.
     */
    public static CommandLine commandLine()
    {
        return commandLine("");
    }

    /**
     * The command line for arguments whose first is {@code first}: when that names a subcommand, only that one is
     * registered, so a run pays picocli's reflection over one subcommand's options rather than all of them. What
     * it parses and prints is the same: a subcommand's help and errors never mention the others.
     *
     * @param first the first argument, or "" when there is none.
     */
    static CommandLine commandLine(final String first)
    {
        final CommandLine commandLine = new CommandLine(new MirrorCommand());
        final Object subcommand = subcommand(first);
        if (subcommand != null)
        {
            commandLine.addSubcommand(subcommand);
        }
        else
        {
            commandLine.addSubcommand(new DemoCommand())
                .addSubcommand(new ValidateCommand())
                .addSubcommand(new ExplainCommand())
                .addSubcommand(new DiffCommand())
                .addSubcommand(new ReplayCommand())
                .addSubcommand(new ReceiveCommand())
                .addSubcommand(new RunCommand())
                .addSubcommand(new CommandLine.HelpCommand());
        }
        return commandLine
            .setExitCodeExceptionMapper(ex -> EXIT_FAILURE)
            .setExecutionExceptionHandler((ex, subcommandLine, parseResult) ->
                failure(ex, subcommandLine.getCommandSpec().qualifiedName(), subcommandLine.getErr()))
            .setParameterExceptionHandler((ex, args) ->
            {
                // Named by the (sub)command whose argument is wrong, as every other message is.
                final String name = ex.getCommandLine().getCommandSpec().qualifiedName();
                ex.getCommandLine().getErr().println(name + ": " + ex.getMessage());
                ex.getCommandLine().getErr().println("Try '" + name + " --help' for more information.");
                return EXIT_USAGE;
            });
    }

    private static Object subcommand(final String name)
    {
        switch (name)
        {
            case "demo":
                return new DemoCommand();
            case "validate":
                return new ValidateCommand();
            case "explain":
                return new ExplainCommand();
            case "diff":
                return new DiffCommand();
            case "replay":
                return new ReplayCommand();
            case "receive":
                return new ReceiveCommand();
            case "run":
                return new RunCommand();
            default:
                return null;
        }
    }

    @Override
    public void run()
    {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /**
     * Reports the library version from the jar manifest.
     */
    static final class Version implements CommandLine.IVersionProvider
    {
        @Override
        public String[] getVersion()
        {
            final String version = MirrorCommand.class.getPackage().getImplementationVersion();
            return new String[]{"mirror " + (version == null ? "(development build)" : version)};
        }
    }
}
