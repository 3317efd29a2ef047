using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.ML.Segmentation.Losses;

namespace Microsoft.ML.Segmentation.Peers;

/// <summary>
/// The public preset call that built a <see cref="PeerLoss"/>: its catalog (<see cref="Monai"/>, <see cref="Mmseg"/>,
/// <see cref="Smp"/>), the method, and every argument by parameter name. A <see cref="PeerLoss"/> keeps only a delegate
/// that builds the SegML loss per channel count, so a saved pipeline records this call and makes it again on loading.
/// </summary>
internal sealed class PeerPreset
{
    // Only the presets' own catalogs: a model file names a method, and must not be able to name any other.
    private static readonly Dictionary<string, Type> s_catalogs = new(StringComparer.Ordinal)
    {
        [nameof(Monai)] = typeof(Monai),
        [nameof(Mmseg)] = typeof(Mmseg),
        [nameof(Smp)] = typeof(Smp),
    };

    /// <summary>Records a preset call.</summary>
    /// <param name="catalog">The catalog type, one of <see cref="Monai"/>, <see cref="Mmseg"/>, <see cref="Smp"/>.</param>
    /// <param name="method">The preset method's name.</param>
    /// <param name="arguments">Every argument, by parameter name; lists are copied, so later changes to the caller's list are not recorded.</param>
    public PeerPreset(Type catalog, string method, params (string Name, object? Value)[] arguments)
    {
        Catalog = catalog.Name;
        Method = method;
        Arguments = arguments.Select(a => (a.Name, Snapshot(a.Value))).ToArray();
    }

    /// <summary>The catalog's name: Monai, Mmseg or Smp.</summary>
    public string Catalog { get; }

    /// <summary>The preset method's name.</summary>
    public string Method { get; }

    /// <summary>The arguments by parameter name, in the method's order.</summary>
    public IReadOnlyList<(string Name, object? Value)> Arguments { get; }

    /// <summary>
    /// Calls the preset <paramref name="catalog"/>.<paramref name="method"/> again, each parameter from
    /// <paramref name="argument"/> (which returns <see cref="Type.Missing"/> for one not recorded, so it takes its
    /// default), and returns the <see cref="PeerLoss"/> named <paramref name="peerName"/> inside what it returns.
    /// </summary>
    /// <exception cref="ArgumentException">The catalog or method is not a loss preset, or the result holds no such PeerLoss.</exception>
    public static PeerLoss Rebuild(string catalog, string method, Func<ParameterInfo, object?> argument, string peerName)
    {
        if (!s_catalogs.TryGetValue(catalog, out Type? type))
        {
            throw new ArgumentException($"'{catalog}' is not a preset catalog; the catalogs are {string.Join(", ", s_catalogs.Keys)}.", nameof(catalog));
        }

        MethodInfo[] candidates = type.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.Name == method && typeof(ISegmentationLoss).IsAssignableFrom(m.ReturnType)).ToArray();
        if (candidates.Length != 1)
        {
            throw new ArgumentException($"{catalog}.{method} is not a loss preset of this SegML.", nameof(method));
        }

        ParameterInfo[] parameters = candidates[0].GetParameters();
        var values = new object?[parameters.Length];
        for (int i = 0; i < parameters.Length; i++)
        {
            object? value = argument(parameters[i]);
            if (value == Type.Missing)
            {
                value = parameters[i].HasDefaultValue
                    ? parameters[i].DefaultValue
                    : throw new ArgumentException($"{catalog}.{method} needs '{parameters[i].Name}'.", nameof(argument));
            }

            values[i] = value;
        }

        ISegmentationLoss built;
        try
        {
            built = (ISegmentationLoss)candidates[0].Invoke(null, values)!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerException);
            throw;
        }

        return Find(built, peerName)
            ?? throw new ArgumentException($"{catalog}.{method} no longer builds a preset named '{peerName}'.", nameof(peerName));
    }

    /// <summary>The PeerLoss named <paramref name="name"/> in a preset's result, looking through the target wrappers and combinations presets return.</summary>
    private static PeerLoss? Find(ISegmentationLoss loss, string name) => loss switch
    {
        PeerLoss peer when peer.Name == name => peer,
        IgnoreIndexLoss l => Find(l.Inner, name),
        ClampedOneHotLoss l => Find(l.Inner, name),
        BackgroundDroppedLoss l => Find(l.Inner, name),
        CombinedLoss l => l.Parts.Select(p => Find(p.Loss, name)).FirstOrDefault(p => p is not null),
        _ => null,
    };

    private static object? Snapshot(object? value) => value switch
    {
        IReadOnlyList<double> list => list.ToArray(),
        IReadOnlyList<int> list => list.ToArray(),
        _ => value,
    };
}
