package io.trafficmirror.filter;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Thrown when a configuration, or one object of it, breaks a rule. It carries every problem found, not
 * only the first, so that a user fixes a configuration in one pass.
 */
public final class InvalidConfigurationException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** Serializable snapshot of the violations: {@code List.copyOf} of {@link Violation}s, both serializable. */
    @SuppressWarnings("serial") // the declared type is the List interface; the instance is always serializable
    private final List<Violation> violations;

    /**
     * @param violations every problem found; must not be empty.
     */
    public InvalidConfigurationException(final List<Violation> violations)
    {
        super(describe(violations));
        if (violations.isEmpty())
        {
            throw new IllegalArgumentException("an InvalidConfigurationException needs at least one violation");
        }
        this.violations = List.copyOf(violations);
    }

    /**
     * @return every problem found, in the order found.
     */
    public List<Violation> violations()
    {
        return violations;
    }

    private static String describe(final List<Violation> violations)
    {
        return violations.size() + (violations.size() == 1 ? " problem" : " problems") + " in the configuration:" +
            violations.stream().map(v -> System.lineSeparator() + "  " + v.message()).collect(Collectors.joining());
    }
}
