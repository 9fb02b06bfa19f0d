using System.Reflection;

namespace StaticConvNet.Tests.Runtime;

/// <summary>An attribute's defaults live in one place: a <c>Default{Property}</c> constant the property starts from
/// and the generator reads. A property with an initialiser but no constant would be a default the generator could
/// not see.</summary>
public class Test_AttributeDefaults
{
    public static TheoryData<string> Attributes => new(typeof(NetworkAttribute).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(Attribute)) && t.Namespace == "StaticConvNet" && !t.IsAbstract).Select(t => t.Name));

    [Theory]
    [MemberData(nameof(Attributes))]
    public void Every_settable_property_with_a_default_has_its_constant(string name)
    {
        var type = typeof(NetworkAttribute).Assembly.GetTypes().Single(t => t.Name == name);
        var constructor = type.GetConstructors().Single();
        var instance = constructor.Invoke(constructor.GetParameters().Select(p => p.ParameterType == typeof(double) ? (object)0.5
            : p.ParameterType == typeof(Type) ? typeof(object) : p.ParameterType == typeof(Type[]) ? Array.Empty<Type>() : 1).ToArray());
        foreach (var property in type.GetProperties().Where(p => p.CanWrite && p.Name != "Name"))
        {
            var constant = type.GetField("Default" + property.Name, BindingFlags.Public | BindingFlags.Static);
            var value = property.GetValue(instance);
            var unset = value is null || value.Equals(property.PropertyType.IsValueType ? Activator.CreateInstance(property.PropertyType) : null);
            if (constant is null)
            {
                unset.ShouldBeTrue($"{name}.{property.Name} starts at {value} but has no Default{property.Name} constant");
                continue;
            }
            constant.IsLiteral.ShouldBeTrue();
            value.ShouldBe(constant.GetValue(null), $"{name}.{property.Name}");
        }
    }
}
