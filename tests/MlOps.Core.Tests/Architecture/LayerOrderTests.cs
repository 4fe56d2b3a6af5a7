using System.Reflection;
using System.Reflection.Emit;
using MlOps.Diagnostics;
using Xunit;

namespace MlOps.Core.Tests.Architecture;

/// <summary>
/// The engine's folders (namespaces) form one direction, each using only the ones before it in <see cref="Order"/>
/// (docs/architecture.md). Read from the compiled assembly: every type's base types, members' signatures and the types,
/// methods and fields its method bodies' IL refers to.
/// </summary>
public sealed class LayerOrderTests
{
    private static readonly string[] Order =
    [
        "Diagnostics", "Streams", "Python", "SourceControl", "Settings", "Cdf", "Registry", "Services", "Packaging", "Platforms",
        "Deployment", "Completion", "Scaffolding", "Migration",
    ];

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    [Fact]
    public void Every_engine_folder_uses_only_the_folders_before_it()
    {
        var assembly = typeof(MlOpsException).Assembly;
        var unknown = assembly.GetTypes().Where(t => t.Namespace?.StartsWith("MlOps.", StringComparison.Ordinal) == true && Layer(t) < 0)
            .Select(t => t.Namespace).Distinct().ToList();
        Assert.True(unknown.Count == 0, "Namespaces not in the order (add them to docs/architecture.md and here): " + string.Join(", ", unknown));

        var against = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes())
        {
            var from = Layer(type);
            if (from < 0)
            {
                continue;
            }

            foreach (var used in Referenced(type))
            {
                var to = Layer(used);
                if (to > from)
                {
                    against.Add($"{Order[from]} -> {Order[to]}: {type.FullName} uses {used.FullName}");
                }
            }
        }

        Assert.True(against.Count == 0, "Dependencies against the order:\n" + string.Join("\n", against.Take(50)));
    }

    [Fact]
    public void The_check_sees_a_dependency_in_a_method_body()
    {
        // ServiceDeployer (Deployment) creates a ServicePackageBuilder (Packaging) inside a method only: the IL reader finds it.
        var deployer = typeof(MlOps.Deployment.ServiceDeployer);
        Assert.Contains(Referenced(deployer), t => t == typeof(MlOps.Packaging.ServicePackageBuilder));
        Assert.True(Layer(deployer) > Layer(typeof(MlOps.Packaging.ServicePackageBuilder)));
    }

    private static int Layer(Type type)
    {
        var ns = type.Namespace;
        if (ns == null || !ns.StartsWith("MlOps.", StringComparison.Ordinal) || type.Assembly != typeof(MlOpsException).Assembly)
        {
            return -1;
        }

        var folder = ns.Substring("MlOps.".Length).Split('.')[0];
        return Array.IndexOf(Order, folder);
    }

    private static IEnumerable<Type> Referenced(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            while (t != null && (t.HasElementType))
            {
                t = t.GetElementType();
            }

            if (t == null || t.IsGenericParameter || !found.Add(t))
            {
                return;
            }

            if (t.IsGenericType)
            {
                foreach (var argument in t.GetGenericArguments())
                {
                    Add(argument);
                }
            }
        }

        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        Add(type.BaseType);
        foreach (var i in type.GetInterfaces())
        {
            Add(i);
        }

        foreach (var field in type.GetFields(all))
        {
            Add(field.FieldType);
        }

        foreach (var property in type.GetProperties(all))
        {
            Add(property.PropertyType);
        }

        foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (method is MethodInfo info)
            {
                Add(info.ReturnType);
            }

            foreach (var parameter in method.GetParameters())
            {
                Add(parameter.ParameterType);
            }

            foreach (var member in BodyReferences(method))
            {
                switch (member)
                {
                    case Type t:
                        Add(t);
                        break;
                    case FieldInfo f:
                        Add(f.DeclaringType);
                        Add(f.FieldType);
                        break;
                    case MethodBase m:
                        Add(m.DeclaringType);
                        break;
                }
            }
        }

        return found;
    }

    /// <summary>The types, fields and methods a method's IL refers to (tokens of call, newobj, ldfld, ldtoken, castclass …).</summary>
    private static IEnumerable<MemberInfo> BodyReferences(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (Exception e) when (e is InvalidOperationException || e is NotSupportedException)
        {
            il = null;
        }

        if (il == null)
        {
            yield break;
        }

        var typeArguments = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE && i + 1 < il.Length ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            if (!OpCodesByValue.TryGetValue(value, out var code))
            {
                yield break;    // not an opcode: stop rather than misread the rest
            }

            switch (code.OperandType)
            {
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    i += 8;
                    break;
                case OperandType.InlineSwitch:
                    i += 4 + 4 * BitConverter.ToInt32(il, i);
                    break;
                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineTok:
                case OperandType.InlineType:
                    MemberInfo? member;
                    try
                    {
                        member = method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArguments, methodArguments);
                    }
                    catch (Exception e) when (e is ArgumentException || e is BadImageFormatException || e is TypeLoadException)
                    {
                        member = null;
                    }

                    if (member != null)
                    {
                        yield return member;
                    }

                    i += 4;
                    break;
                default:
                    i += 4;     // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR
                    break;
            }
        }
    }
}
