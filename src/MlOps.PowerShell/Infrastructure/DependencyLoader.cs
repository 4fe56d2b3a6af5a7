using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace MlOps.PowerShell.Infrastructure
{
    /// <summary>
    /// Loads the module's third-party assemblies (in <c>bin/Dependencies</c>, not beside the cmdlets, so nothing finds them by
    /// accident) when MlOps asks for them and the host has no suitable copy. On PowerShell 7 they go into a load context
    /// of their own, so a module loaded earlier with another version of the same assembly (Az, a build tool's YamlDotNet)
    /// neither breaks MlOps nor is broken by it; on Windows PowerShell, which has one context, they load from that folder.
    /// <para>
    /// Only requests from MlOps's own assemblies and its dependencies are answered, and only for the version shipped or an
    /// older one. A host that already has the same or a newer version loaded serves it itself (the resolver is asked only
    /// when the host cannot). The <c>AssemblyLoadContext</c> type is not part of netstandard2.0, so it is reached by
    /// reflection, as in the PowerShell team's samples.
    /// </para>
    /// </summary>
    internal static class DependencyLoader
    {
        /// <summary>The name of the load context MlOps's dependencies are loaded into (PowerShell 7).</summary>
        public const string ContextName = "MlOps dependencies";
        private static readonly object Gate = new object();
        private static readonly string OwnFolder = Path.GetDirectoryName(typeof(DependencyLoader).Assembly.Location) ?? string.Empty;
        private static readonly Dictionary<string, Assembly> Loaded = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase);
        private static Dictionary<string, (string Path, Version? Version)>? _shipped;
        private static LoadContext? _context;
        private static bool _registered;

        /// <summary>Where the dependencies are.</summary>
        public static string Folder => Path.Combine(OwnFolder, "Dependencies");

        /// <summary>Starts answering MlOps's requests for its dependencies (once; later calls do nothing).</summary>
        public static void Register()
        {
            lock (Gate)
            {
                if (_registered)
                {
                    return;
                }

                _shipped = Directory.Exists(Folder)
                    ? Directory.EnumerateFiles(Folder, "*.dll").Select(Describe).Where(d => d.Name != null)
                        .ToDictionary(d => d.Name!, d => (d.Path, d.Version), StringComparer.OrdinalIgnoreCase)
                    : new Dictionary<string, (string Path, Version? Version)>(StringComparer.OrdinalIgnoreCase);
                _context ??= LoadContext.TryCreate(ContextName);
                AppDomain.CurrentDomain.AssemblyResolve += Resolve;
                _registered = true;
            }
        }

        /// <summary>Stops answering (Remove-Module). Assemblies already loaded stay loaded: .NET cannot unload them.</summary>
        public static void Unregister()
        {
            lock (Gate)
            {
                AppDomain.CurrentDomain.AssemblyResolve -= Resolve;
                _registered = false;
            }
        }

        private static (string? Name, string Path, Version? Version) Describe(string path)
        {
            try
            {
                var name = AssemblyName.GetAssemblyName(path);
                return (name.Name, path, name.Version);
            }
            catch (BadImageFormatException)
            {
                return (null, path, null);
            }
        }

        private static Assembly? Resolve(object? sender, ResolveEventArgs args)
        {
            var wanted = new AssemblyName(args.Name);
            var shipped = _shipped;
            if (wanted.Name == null || shipped == null || !shipped.TryGetValue(wanted.Name, out var file) || !IsOurs(args.RequestingAssembly))
            {
                return null;
            }

            if (wanted.Version != null && file.Version != null && file.Version < wanted.Version)
            {
                return null; // a newer version than MlOps ships: not ours to answer
            }

            lock (Gate)
            {
                if (!Loaded.TryGetValue(wanted.Name, out var assembly))
                {
                    assembly = _context != null ? _context.LoadFromAssemblyPath(file.Path) : Assembly.LoadFrom(file.Path);
                    Loaded[wanted.Name] = assembly;
                }

                return assembly;
            }
        }

        /// <summary>
        /// A request from MlOps (its assemblies beside this one, or a dependency loaded from its folder); on .NET Framework the
        /// requesting assembly may be unknown, and then the name alone decides.
        /// </summary>
        private static bool IsOurs(Assembly? requesting)
        {
            if (requesting == null)
            {
                return true;
            }

            string location;
            try
            {
                location = requesting.Location;
            }
            catch (NotSupportedException)
            {
                return false; // a dynamic assembly
            }

            if (string.IsNullOrEmpty(location))
            {
                return false;
            }

            var folder = Path.GetDirectoryName(location) ?? string.Empty;
            return string.Equals(folder, OwnFolder, StringComparison.OrdinalIgnoreCase) || string.Equals(folder, Folder, StringComparison.OrdinalIgnoreCase);
        }

        /// <summary>A <c>System.Runtime.Loader.AssemblyLoadContext</c> of MlOps's own, through reflection (absent on .NET Framework).</summary>
        private sealed class LoadContext
        {
            private readonly object _context;
            private readonly MethodInfo _loadFromAssemblyPath;

            private LoadContext(object context, MethodInfo loadFromAssemblyPath)
            {
                _context = context;
                _loadFromAssemblyPath = loadFromAssemblyPath;
            }

            public static LoadContext? TryCreate(string name)
            {
                var type = typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext");
                var constructor = type?.GetConstructor(new[] { typeof(string), typeof(bool) });
                var load = type?.GetMethod("LoadFromAssemblyPath", new[] { typeof(string) });
                return constructor == null || load == null ? null : new LoadContext(constructor.Invoke(new object[] { name, false }), load);
            }

            public Assembly LoadFromAssemblyPath(string path)
            {
                try
                {
                    return (Assembly)_loadFromAssemblyPath.Invoke(_context, new object[] { path });
                }
                catch (TargetInvocationException e) when (e.InnerException != null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                    throw;
                }
            }
        }
    }
}
