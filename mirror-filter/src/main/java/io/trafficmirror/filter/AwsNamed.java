package io.trafficmirror.filter;

import java.util.Optional;
import java.util.StringJoiner;

/**
 * An enum constant with an EC2 API spelling ({@code ingress}, {@code accept}, {@code amazon-dns}, …),
 * used in AWS JSON documents and error messages.
 */
public interface AwsNamed
{
    /**
     * @return the EC2 API spelling.
     */
    String awsName();

    /**
     * Looks a constant up by its EC2 API spelling.
     *
     * @param type    the enum.
     * @param awsName the spelling.
     * @param <E>     the enum type.
     * @return the constant, or empty when the text names none.
     */
    static <E extends Enum<E> & AwsNamed> Optional<E> fromAwsName(final Class<E> type, final String awsName)
    {
        for (final E value : type.getEnumConstants())
        {
            if (value.awsName().equals(awsName))
            {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }

    /**
     * @param type the enum.
     * @param <E>  the enum type.
     * @return the allowed spellings joined by {@code |}, for error messages.
     */
    static <E extends Enum<E> & AwsNamed> String allowedNames(final Class<E> type)
    {
        final StringJoiner names = new StringJoiner(" | ");
        for (final E value : type.getEnumConstants())
        {
            names.add(value.awsName());
        }
        return names.toString();
    }
}
