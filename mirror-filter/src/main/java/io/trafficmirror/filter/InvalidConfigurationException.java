package io.trafficmirror.filter;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Thrown when a configuration, or one object of it, breaks a rule. It carries every problem found, not
 * only the first, so that a user fixes a configuration in one pass; each violation that EC2 would refuse names
 * the EC2 error code it would refuse it with.
 */
public final class InvalidConfigurationException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** Serializable snapshot of the violations: {@code List.copyOf} of {@link Violation}s, both serializable. */
    @SuppressWarnings("serial") // the declared type is the List interface; the instance is always serializable
    private final List<Violation> violations;

    /** The message, written when first asked for: an exception caught and relocated is never printed. */
    private transient volatile String message;

    /**
     * @param violations every problem found; must not be empty.
     */
    public InvalidConfigurationException(final List<Violation> violations)
    {
        super();
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

    /**
     * @return the EC2 error codes of the violations, each once, in the order first found; violations without
     *         a code add nothing.
     */
    public Set<Ec2ErrorCode> errorCodes()
    {
        final Set<Ec2ErrorCode> codes = new LinkedHashSet<>();
        for (final Violation violation : violations)
        {
            violation.errorCode().ifPresent(codes::add);
        }
        return Collections.unmodifiableSet(codes);
    }

    /**
     * @return the code of the first violation that has one, as the one code EC2 would have answered with.
     */
    public Optional<Ec2ErrorCode> firstErrorCode()
    {
        for (final Violation violation : violations)
        {
            if (violation.errorCode().isPresent())
            {
                return violation.errorCode();
            }
        }
        return Optional.empty();
    }

    /**
     * @return how many problems, then one line per problem.
     */
    @Override
    public String getMessage()
    {
        String text = message;
        if (text == null)
        {
            text = describe(violations);
            message = text;
        }
        return text;
    }

    private static String describe(final List<Violation> violations)
    {
        return violations.size() + (violations.size() == 1 ? " problem" : " problems") + " in the configuration:" +
            violations.stream().map(v -> System.lineSeparator() + "  " + v.message()).collect(Collectors.joining());
    }
}
