using System.Reflection;

namespace StaticConvNet.Tests;

/// <summary>A test runner in a page: xunit's attributes read by reflection, each case run in turn on this thread, a
/// failure printed with its message. Enough for tests that need no fixtures, output helpers or parallel collections,
/// which is what the kernel tests are; where a test host cannot run (emulated ARM64), this can.</summary>
public static class TestRunner
{
    public readonly record struct Outcome(int Passed, int Failed, int Skipped);

    public static Outcome Run(Assembly assembly, string? filter)
    {
        int passed = 0, failed = 0, skipped = 0;
        var classes = assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false, IsPublic: true } && t.Name.StartsWith("Test_", StringComparison.Ordinal));
        foreach (var type in classes.OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance).OrderBy(m => m.MetadataToken))
            {
                var fact = method.GetCustomAttribute<FactAttribute>();
                if (fact is null) continue;
                foreach (var arguments in Cases(type, method))
                {
                    var name = $"{type.Name}.{method.Name}" + (arguments.Length > 0 ? $"({string.Join(", ", arguments.Select(Show))})" : "");
                    if (filter is not null && !name.Contains(filter, StringComparison.OrdinalIgnoreCase)) continue;
                    if (fact.Skip is not null) { skipped++; continue; }
                    object? instance = null;
                    try
                    {
                        instance = Activator.CreateInstance(type);
                        var result = method.Invoke(instance, Convert(arguments, method.GetParameters()));
                        if (result is Task task) task.GetAwaiter().GetResult();
                        passed++;
                    }
                    catch (Exception e) when (Unwrap(e) is Xunit.SkipException)
                    {
                        skipped++;
                    }
                    catch (Exception e)
                    {
                        failed++;
                        Console.WriteLine($"FAILED {name}: {Unwrap(e).GetType().Name}: {Unwrap(e).Message}");
                    }
                    finally
                    {
                        (instance as IDisposable)?.Dispose();
                    }
                }
            }
        }
        return new Outcome(passed, failed, skipped);
    }

    /// <summary>The exception a test threw, out of reflection's and tasks' wrappers.</summary>
    private static Exception Unwrap(Exception e)
    {
        while (e is TargetInvocationException or AggregateException && e.InnerException is { } inner) e = inner;
        return e;
    }

    /// <summary>A [Fact]'s one empty case, or a [Theory]'s rows from [InlineData] and [MemberData] (a theory with no rows
    /// is a failure of its own, as xunit makes it).</summary>
    private static IEnumerable<object?[]> Cases(Type type, MethodInfo method)
    {
        if (method.GetCustomAttribute<TheoryAttribute>() is null) return [[]];
        var rows = new List<object?[]>();
        foreach (var data in method.GetCustomAttributes<Xunit.Sdk.DataAttribute>()) rows.AddRange(data.GetData(method));
        if (rows.Count == 0) throw new InvalidOperationException($"{type.Name}.{method.Name} is a theory with no data");
        return rows;
    }

    /// <summary>Arguments as the parameters take them (xunit converts numbers the same way, e.g. a double to a float).</summary>
    private static object?[] Convert(object?[] arguments, ParameterInfo[] parameters)
        => arguments.Select((a, i) => a is IConvertible && a.GetType() != parameters[i].ParameterType && parameters[i].ParameterType.IsPrimitive
            ? System.Convert.ChangeType(a, parameters[i].ParameterType, System.Globalization.CultureInfo.InvariantCulture)
            : a).ToArray();

    private static string Show(object? value) => value switch
    {
        null => "null",
        Array array => $"[{array.Length}]",
        _ => value.ToString() ?? "",
    };
}
