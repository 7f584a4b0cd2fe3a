package io.trafficmirror.filter;

import java.io.Serializable;
import java.util.Objects;
import java.util.Optional;

/**
 * One problem with a configuration: which object, which field, the bad value and what is allowed.
 * <p>
 * Field names are the EC2 API names ({@code RuleNumber}, {@code SourceCidrBlock}, …) so that a message
 * reads the same whether the object came from the builder API or from an AWS JSON document, where the
 * field is prefixed with its JSON path ({@code TrafficMirrorFilters[0].IngressFilterRules[2].RuleNumber}).
 * <p>
 * A violation that EC2 would refuse carries the {@link Ec2ErrorCode} EC2 returns for it, so that callers can
 * branch on it as on an EC2 API error; one about something EC2 has no counterpart for (a project-only setting,
 * the shape of a JSON document) carries none.
 */
public final class Violation implements Serializable
{
    private static final long serialVersionUID = 2L;

    private final Ec2ErrorCode errorCode;
    private final String objectId;
    private final String field;
    private final String value;
    private final String allowed;

    private Violation(
        final Ec2ErrorCode errorCode, final String objectId, final String field, final String value, final String allowed)
    {
        this.errorCode = errorCode;
        this.objectId = Objects.requireNonNull(objectId, "objectId");
        this.field = Objects.requireNonNull(field, "field");
        this.value = Objects.requireNonNull(value, "value");
        this.allowed = Objects.requireNonNull(allowed, "allowed");
    }

    /**
     * A violation of something EC2 has no counterpart for, so without an error code.
     *
     * @param objectId the id of the object at fault, or where it has none a description of where it is.
     * @param field    the field at fault, by its EC2 API name or JSON path.
     * @param value    the offending value as given, {@code null} when the field is missing.
     * @param allowed  what would have been accepted.
     * @return the violation.
     */
    public static Violation of(final String objectId, final String field, final Object value, final String allowed)
    {
        return new Violation(null, objectId, field, shown(value), allowed);
    }

    /**
     * A violation that EC2 refuses with an error code.
     *
     * @param errorCode the code EC2 returns for this kind of problem.
     * @param objectId  the id of the object at fault, or where it has none a description of where it is.
     * @param field     the field at fault, by its EC2 API name or JSON path.
     * @param value     the offending value as given, {@code null} when the field is missing.
     * @param allowed   what would have been accepted.
     * @return the violation.
     */
    public static Violation of(
        final Ec2ErrorCode errorCode, final String objectId, final String field, final Object value, final String allowed)
    {
        return new Violation(Objects.requireNonNull(errorCode, "errorCode"), objectId, field, shown(value), allowed);
    }

    /**
     * @return the EC2 error code of this kind of problem, empty when EC2 has no counterpart for it.
     */
    public Optional<Ec2ErrorCode> errorCode()
    {
        return Optional.ofNullable(errorCode);
    }

    /**
     * @return the id of the object at fault.
     */
    public String objectId()
    {
        return objectId;
    }

    /**
     * @return the field at fault.
     */
    public String field()
    {
        return field;
    }

    /**
     * @return the offending value, or {@code (missing)}.
     */
    public String value()
    {
        return value;
    }

    /**
     * @return what would have been accepted.
     */
    public String allowed()
    {
        return allowed;
    }

    /**
     * The same violation with its field placed under a location, e.g. a JSON path.
     *
     * @param location prefix such as {@code TrafficMirrorSessions[3]}.
     * @return the relocated violation.
     */
    public Violation at(final String location)
    {
        return new Violation(errorCode, objectId, location + "." + field, value, allowed);
    }

    /**
     * @return one line: {@code [ErrorCode] objectId: field = value; allowed: allowed}, without the code when there
     *         is none and without the object id when the field's path already starts with it.
     */
    public String message()
    {
        return (errorCode == null ? "" : "[" + errorCode.awsName() + "] ") +
            (field.startsWith(objectId) ? "" : objectId + ": ") + field + " = " + value + "; allowed: " + allowed;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof Violation))
        {
            return false;
        }
        final Violation that = (Violation)o;
        return errorCode == that.errorCode && objectId.equals(that.objectId) && field.equals(that.field) &&
            value.equals(that.value) && allowed.equals(that.allowed);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(errorCode, objectId, field, value, allowed);
    }

    @Override
    public String toString()
    {
        return message();
    }

    private static String shown(final Object value)
    {
        return value == null ? "(missing)" : String.valueOf(value);
    }
}
