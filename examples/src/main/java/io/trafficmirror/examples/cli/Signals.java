package io.trafficmirror.examples.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * POSIX signal handlers for {@code mirror run} through the JDK's {@code sun.misc.Signal} (module jdk.unsupported),
 * the only way a Java program can catch SIGHUP, and the way to end on SIGTERM or SIGINT with exit code 0 after a
 * drain: a shutdown hook could drain too, but the JVM would then exit 143 or 130 whatever the hook does.
 * <p>
 * It is reached by reflection, because javac warns about every use of {@code sun.misc} and the build makes
 * warnings errors. A JVM without it (or one started with {@code -Xrs}, which refuses handlers) keeps its default
 * behaviour, and {@link #handle} says so by returning null.
 */
final class Signals
{
    private static final String SIGNAL = "sun.misc.Signal";
    private static final String HANDLER = "sun.misc.SignalHandler";

    private Signals()
    {
    }

    /**
     * Runs {@code action} on the JDK's signal thread whenever the signal arrives, until the returned handle is run.
     *
     * @param name   the signal's name without SIG, e.g. {@code HUP}.
     * @param action what to do; it should be quick (set a flag).
     * @return what restores the previous handler, or null when this JVM cannot handle the signal.
     */
    static Runnable handle(final String name, final Runnable action)
    {
        try
        {
            final Class<?> signalClass = Class.forName(SIGNAL);
            final Class<?> handlerClass = Class.forName(HANDLER);
            final Object signal = signalClass.getConstructor(String.class).newInstance(name);
            final InvocationHandler invocation = (proxy, method, args) -> invoke(proxy, method, args, name, action);
            final Object handler = Proxy.newProxyInstance(
                handlerClass.getClassLoader(), new Class<?>[]{handlerClass}, invocation);
            final Method install = signalClass.getMethod("handle", signalClass, handlerClass);
            final Object previous = install.invoke(null, signal, handler);
            return () ->
            {
                try
                {
                    install.invoke(null, signal, previous);
                }
                catch (final ReflectiveOperationException ex)
                {
                    // Nothing to restore to: the process is ending its run anyway.
                }
            };
        }
        catch (final ReflectiveOperationException | LinkageError | RuntimeException ex)
        {
            return null;
        }
    }

    private static Object invoke(final Object proxy, final Method method, final Object[] args, final String name,
        final Runnable action)
    {
        switch (method.getName())
        {
            case "handle":
                action.run();
                return null;
            case "hashCode":
                return System.identityHashCode(proxy);
            case "equals":
                return proxy == args[0];
            default:
                return "SIG" + name + " handler";
        }
    }
}
