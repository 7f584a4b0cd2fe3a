package io.trafficmirror.testing;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.SplittableRandom;

import org.opentest4j.TestAbortedException;

/**
 * Property tests on plain JUnit 5: a test runs a body over N generated cases, each drawing its inputs from its
 * own {@link Draw}, whose seed is derived from the run's seed and the case's index alone. A failing case
 * therefore names everything needed to replay exactly that case, and the failure carries the original error as
 * its cause. There is no shrinking: generators stay small and the assertions say what went wrong.
 *
 * <p>The run's seed is the fixed {@link #DEFAULT_SEED}, so that CI sees the same cases on every machine, unless
 * the test passes its own (a test that wants new cases on every run passes {@link #randomSeed()}). System
 * properties, read on every run, override either:
 * <ul>
 *   <li>{@code -Dtrafficmirror.seed=<n>} (decimal or {@code 0x} hex) replays a reported run;
 *       {@code -Dtrafficmirror.seed=random} explores with a fresh seed, which is printed;</li>
 *   <li>{@code -Dtrafficmirror.case=<i>} runs only case {@code i} of that seed (with {@code -Dtest=Class#method});</li>
 *   <li>{@code -Dtrafficmirror.cases.scale=<k>} multiplies every case count, for long runs outside CI.</li>
 * </ul>
 * An assumption that fails inside a case aborts the test as usual, unwrapped.
 */
public final class SeededCases
{
    /** The seed of every run that names none: fixed, so that a CI failure reproduces on any machine. */
    public static final long DEFAULT_SEED = 0x7452_4146_4649_4321L;

    public static final String SEED_PROPERTY = "trafficmirror.seed";
    public static final String CASE_PROPERTY = "trafficmirror.case";
    public static final String SCALE_PROPERTY = "trafficmirror.cases.scale";

    private static final long GAMMA = 0x9E37_79B9_7F4A_7C15L;

    /** One case: draws its inputs from {@code draw} and throws (an assertion error, usually) when it fails. */
    @FunctionalInterface
    public interface Body
    {
        void run(Draw draw) throws Exception;
    }

    private SeededCases()
    {
    }

    /** Runs {@code cases} cases from {@link #DEFAULT_SEED} (or the seed the system properties name). */
    public static void run(final int cases, final Body body)
    {
        run(DEFAULT_SEED, cases, body);
    }

    /**
     * Runs {@code cases} cases (times the scale property) from {@code seed} (unless the system properties name
     * another), stopping at the first that fails.
     *
     * @throws AssertionError naming the seed, the case index and how to replay it, caused by the case's failure
     */
    public static void run(final long seed, final int cases, final Body body)
    {
        if (cases < 1)
        {
            throw new IllegalArgumentException("cases must be at least 1, was " + cases);
        }
        final long runSeed = seedFromProperties(seed);
        final int scale = Integer.getInteger(SCALE_PROPERTY, 1);
        if (scale < 1)
        {
            throw new IllegalArgumentException(SCALE_PROPERTY + " must be at least 1, was " + scale);
        }
        final long total = (long)cases * scale;
        final String only = System.getProperty(CASE_PROPERTY);
        final long first = only == null ? 0 : Long.parseLong(only.trim());
        final long end = only == null ? total : first + 1;
        if (first < 0 || first >= total)
        {
            throw new IllegalArgumentException(CASE_PROPERTY + " must be in 0.." + (total - 1) + ", was " + only);
        }
        for (long index = first; index < end; index++)
        {
            final long caseSeed = caseSeed(runSeed, index);
            try
            {
                body.run(new Draw(caseSeed));
            }
            catch (final TestAbortedException e)
            {
                throw e;
            }
            catch (final Exception | Error e)
            {
                throw new AssertionError(String.format(
                    "case %d of %d failed (seed 0x%016x, case seed 0x%016x); replay it with -D%s=0x%016x -D%s=%d: %s",
                    index, total, runSeed, caseSeed, SEED_PROPERTY, runSeed, CASE_PROPERTY, index, e), e);
            }
        }
    }

    /** A seed no earlier run used, for a test that asks to explore; the failure report names it for replay. */
    public static long randomSeed()
    {
        return new SecureRandom().nextLong();
    }

    /** The seed of case {@code index}: a bijective mix of the run's seed and the index, as SplittableRandom does. */
    public static long caseSeed(final long runSeed, final long index)
    {
        long z = runSeed + (index + 1) * GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    private static long seedFromProperties(final long seed)
    {
        final String text = System.getProperty(SEED_PROPERTY);
        if (text == null || text.isBlank())
        {
            return seed;
        }
        final String value = text.trim();
        if ("random".equalsIgnoreCase(value))
        {
            final long random = randomSeed();
            System.out.printf("%s=random: running with seed 0x%016x%n", SEED_PROPERTY, random);
            return random;
        }
        try
        {
            return value.startsWith("0x") || value.startsWith("0X")
                ? Long.parseUnsignedLong(value.substring(2), 16) : Long.parseLong(value);
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException(
                SEED_PROPERTY + " must be a decimal or 0x-hex long, or random, was " + text, e);
        }
    }

    /**
     * The inputs of one case. Plain uniform draws miss the values where code breaks, so the {@code any} and
     * {@code between} draws return a boundary value (minimum, maximum, their neighbours, zero) one time in
     * {@link #EDGE_ONE_IN}, and arrays are empty, of the maximum size or filled with one boundary byte now and then.
     */
    public static final class Draw
    {
        /** How often (one time in this many) a draw returns a boundary value instead of a uniform one. */
        public static final int EDGE_ONE_IN = 8;

        private final long seed;
        private final SplittableRandom random;

        Draw(final long seed)
        {
            this.seed = seed;
            this.random = new SplittableRandom(seed);
        }

        /** This case's seed, for generators that build their own {@code java.util.Random}. */
        public long seed()
        {
            return seed;
        }

        /** The stream behind every draw, for generators that take a {@link SplittableRandom}. */
        public SplittableRandom random()
        {
            return random;
        }

        public boolean bool()
        {
            return random.nextBoolean();
        }

        /** Uniform in {@code 0..bound-1}, no boundary bias: for choices such as an index into a list. */
        public int below(final int bound)
        {
            return random.nextInt(bound);
        }

        /** In {@code min..max} inclusive, biased to {@code min}, {@code min + 1}, {@code max - 1}, {@code max}, 0. */
        public int between(final int min, final int max)
        {
            if (min > max)
            {
                throw new IllegalArgumentException("min " + min + " is above max " + max);
            }
            if (edge())
            {
                final long[] edges = {min, min + 1L, max - 1L, max, 0};
                final long value = edges[random.nextInt(edges.length)];
                if (value >= min && value <= max)
                {
                    return (int)value;
                }
                return min;
            }
            return (int)random.nextLong(min, (long)max + 1);
        }

        /** Any int, biased to 0, 1, -1 and the extremes and their neighbours. */
        public int anyInt()
        {
            if (edge())
            {
                final int[] edges = {0, 1, -1, Integer.MIN_VALUE, Integer.MIN_VALUE + 1, Integer.MAX_VALUE,
                    Integer.MAX_VALUE - 1};
                return edges[random.nextInt(edges.length)];
            }
            return random.nextInt();
        }

        /** Any long, biased to 0, 1, -1 and the extremes and their neighbours. */
        public long anyLong()
        {
            if (edge())
            {
                final long[] edges = {0, 1, -1, Long.MIN_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE, Long.MAX_VALUE - 1};
                return edges[random.nextInt(edges.length)];
            }
            return random.nextLong();
        }

        /** Any short, biased like {@link #anyInt()}. */
        public short anyShort()
        {
            return (short)between(Short.MIN_VALUE, Short.MAX_VALUE);
        }

        /** One of the values, uniformly. */
        @SafeVarargs
        public final <T> T oneOf(final T... values)
        {
            return values[random.nextInt(values.length)];
        }

        /** One of the ints, uniformly. */
        public int oneOfInts(final int... values)
        {
            return values[random.nextInt(values.length)];
        }

        /** One constant of the enum, uniformly. */
        public <E extends Enum<E>> E enumConstant(final Class<E> type)
        {
            return oneOf(type.getEnumConstants());
        }

        /**
         * {@code 0..maxLength} bytes: empty, one byte or the maximum length each one time in {@link #EDGE_ONE_IN},
         * up to 32 bytes half of the remaining time; the content is sometimes all one boundary byte and
         * otherwise random with boundary bytes (0x00, 0x01, 0x7F, 0x80, 0xFF) mixed in.
         */
        public byte[] bytes(final int maxLength)
        {
            final int roll = random.nextInt(EDGE_ONE_IN);
            final int length = switch (roll)
            {
                case 0 -> 0;
                case 1 -> Math.min(1, maxLength);
                case 2 -> maxLength;
                default -> random.nextBoolean()
                    ? random.nextInt(Math.min(maxLength, 32) + 1) : random.nextInt(maxLength + 1);
            };
            final byte[] bytes = new byte[length];
            final byte[] edges = {0, 1, 0x7F, (byte)0x80, (byte)0xFF};
            if (edge())
            {
                Arrays.fill(bytes, edges[random.nextInt(edges.length)]);
                return bytes;
            }
            for (int i = 0; i < length; i++)
            {
                bytes[i] = edge() ? edges[random.nextInt(edges.length)] : (byte)random.nextInt(256);
            }
            return bytes;
        }

        private boolean edge()
        {
            return random.nextInt(EDGE_ONE_IN) == 0;
        }
    }
}
