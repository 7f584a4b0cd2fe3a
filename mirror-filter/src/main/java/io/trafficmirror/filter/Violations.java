package io.trafficmirror.filter;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects the violations found while validating, so that all of them are reported together.
 * <p>
 * The checks of a plain {@code new Violations()} are of EC2 fields, so a bad value carries
 * {@link Ec2ErrorCode#INVALID_PARAMETER_VALUE} and a missing one {@link Ec2ErrorCode#MISSING_PARAMETER};
 * {@link #withoutErrorCodes()} collects for settings EC2 has no counterpart for, whose checks carry no code.
 * Recording a violation and asking whether a field has one take constant time, so validating n objects takes
 * time linear in n however many of them are bad.
 * Not thread-safe; used by one validation at a time.
 */
public final class Violations
{
    /** Longest description accepted, as for EC2 descriptions. */
    public static final int MAX_DESCRIPTION_LENGTH = 255;

    /** Longest object id accepted. */
    public static final int MAX_ID_LENGTH = 255;

    private final List<Violation> violations = new ArrayList<>();
    private final Set<String> fields = new HashSet<>();
    private final boolean ec2;

    /**
     * Collects violations of EC2 objects: the checks carry EC2's generic error codes.
     */
    public Violations()
    {
        this(true);
    }

    private Violations(final boolean ec2)
    {
        this.ec2 = ec2;
    }

    /**
     * @return a collector for settings that EC2 has no counterpart for: its checks carry no error code.
     */
    public static Violations withoutErrorCodes()
    {
        return new Violations(false);
    }

    /**
     * Records a violation that EC2 refuses with an error code.
     *
     * @param errorCode the code EC2 returns for it.
     * @param objectId  object at fault.
     * @param field     field at fault.
     * @param value     bad value, {@code null} when missing.
     * @param allowed   what is allowed.
     * @return this.
     */
    public Violations add(
        final Ec2ErrorCode errorCode, final String objectId, final String field, final Object value, final String allowed)
    {
        return add(Violation.of(errorCode, objectId, field, value, allowed));
    }

    /**
     * Records a violation of something EC2 has no counterpart for.
     *
     * @param objectId object at fault.
     * @param field    field at fault.
     * @param value    bad value, {@code null} when missing.
     * @param allowed  what is allowed.
     * @return this.
     */
    public Violations addWithoutCode(final String objectId, final String field, final Object value, final String allowed)
    {
        return add(Violation.of(objectId, field, value, allowed));
    }

    /**
     * Records a violation found elsewhere.
     *
     * @param violation the violation.
     * @return this.
     */
    public Violations add(final Violation violation)
    {
        violations.add(violation);
        fields.add(violation.field());
        return this;
    }

    /**
     * Records violations found elsewhere.
     *
     * @param found violations to add.
     * @return this.
     */
    public Violations addAll(final List<Violation> found)
    {
        found.forEach(this::add);
        return this;
    }

    /**
     * Checks that a number lies in {@code min..max}.
     *
     * @param objectId object being checked.
     * @param field    field being checked.
     * @param value    its value.
     * @param min      lowest allowed.
     * @param max      highest allowed.
     * @return true when the value is in range.
     */
    public boolean checkRange(final String objectId, final String field, final long value, final long min, final long max)
    {
        if (value < min || value > max)
        {
            addChecked(Ec2ErrorCode.INVALID_PARAMETER_VALUE, objectId, field, value, min + ".." + max);
            return false;
        }
        return true;
    }

    /**
     * Checks that a count lies in {@code 0..max}, a quota whose excess EC2 refuses with its own code.
     *
     * @param errorCode the code EC2 returns when the quota is exceeded.
     * @param objectId  object being checked.
     * @param field     field being checked.
     * @param count     the count.
     * @param max       the quota.
     * @return true when the count is within the quota.
     */
    public boolean checkQuota(
        final Ec2ErrorCode errorCode, final String objectId, final String field, final long count, final long max)
    {
        if (count > max)
        {
            add(errorCode, objectId, field, count, "at most " + max + " (quota)");
            return false;
        }
        return true;
    }

    /**
     * Checks that a required field is present.
     *
     * @param objectId object being checked.
     * @param field    field being checked.
     * @param value    its value.
     * @param allowed  what a valid value looks like.
     * @return true when present.
     */
    public boolean checkRequired(final String objectId, final String field, final Object value, final String allowed)
    {
        if (value == null)
        {
            addChecked(Ec2ErrorCode.MISSING_PARAMETER, objectId, field, null, allowed);
            return false;
        }
        return true;
    }

    /**
     * Checks an object id: present, 1 to {@value #MAX_ID_LENGTH} printable characters without whitespace.
     *
     * @param objectId how to name the object in a message when the id itself is bad.
     * @param field    the id's field name.
     * @param id       the id.
     */
    public void checkId(final String objectId, final String field, final String id)
    {
        if (!checkRequired(objectId, field, id, "1.." + MAX_ID_LENGTH + " printable characters without spaces"))
        {
            return;
        }
        if (!isValidId(id))
        {
            addChecked(Ec2ErrorCode.INVALID_PARAMETER_VALUE, objectId, field, '"' + id + '"',
                "1.." + MAX_ID_LENGTH + " printable characters without spaces");
        }
    }

    /**
     * Checks an optional description's length and characters.
     *
     * @param objectId    object being checked.
     * @param description the description, may be {@code null}.
     */
    public void checkDescription(final String objectId, final String description)
    {
        if (description != null && (description.length() > MAX_DESCRIPTION_LENGTH || hasControlCharacter(description)))
        {
            addChecked(Ec2ErrorCode.INVALID_PARAMETER_VALUE, objectId, "Description", '"' + abbreviate(description) + '"',
                "at most " + MAX_DESCRIPTION_LENGTH + " characters, no control characters");
        }
    }

    /**
     * @return how many violations were found so far.
     */
    public int size()
    {
        return violations.size();
    }

    /**
     * @param field a field name or path.
     * @return true when a violation of that field was found already; constant time.
     */
    public boolean hasField(final String field)
    {
        return fields.contains(field);
    }

    /**
     * @return true when nothing was found.
     */
    public boolean isEmpty()
    {
        return violations.isEmpty();
    }

    /**
     * @return a copy of what was found.
     */
    public List<Violation> toList()
    {
        return List.copyOf(violations);
    }

    /**
     * @throws InvalidConfigurationException listing everything found, if anything was.
     */
    public void throwIfAny()
    {
        if (!violations.isEmpty())
        {
            throw new InvalidConfigurationException(violations);
        }
    }

    /**
     * @param id candidate id.
     * @return true for 1 to {@value #MAX_ID_LENGTH} printable ASCII characters without spaces.
     */
    public static boolean isValidId(final String id)
    {
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH)
        {
            return false;
        }
        for (int i = 0; i < id.length(); i++)
        {
            final char c = id.charAt(i);
            if (c <= ' ' || c > '~')
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Shortens a long value for a message.
     *
     * @param text text to show.
     * @return the text, cut to 64 characters with an ellipsis when longer.
     */
    public static String abbreviate(final String text)
    {
        return text.length() <= 64 ? text : text.substring(0, 61) + "...";
    }

    private void addChecked(
        final Ec2ErrorCode errorCode, final String objectId, final String field, final Object value, final String allowed)
    {
        add(ec2 ? Violation.of(errorCode, objectId, field, value, allowed) : Violation.of(objectId, field, value, allowed));
    }

    private static boolean hasControlCharacter(final String text)
    {
        for (int i = 0; i < text.length(); i++)
        {
            if (Character.isISOControl(text.charAt(i)))
            {
                return true;
            }
        }
        return false;
    }
}
