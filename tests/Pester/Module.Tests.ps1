BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
}

Describe 'The built module' {
    It 'imports in a fresh pwsh process and exports exactly the cmdlets the manifest lists' {
        $manifest = Import-PowerShellDataFile $ManifestPath
        $output = Invoke-FreshPwsh "Import-Module '$ManifestPath' -ErrorAction Stop; (Get-Command -Module MlOps).Name | Sort-Object"
        $output | Should -Be ($manifest.CmdletsToExport | Sort-Object)
        $manifest.FunctionsToExport | Should -BeNullOrEmpty
        $manifest.AliasesToExport | Should -BeNullOrEmpty
    }

    It 'runs commands that load the shipped dependencies, and every shipped assembly resolves its references' {
        $project = New-TestProject (Join-Path $TestDrive 'deps')
        $artifact = New-TestArtifact (Join-Path $TestDrive 'deps-artifact')
        $script = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ManifestPath'
Set-Location '$project'
`$null = Get-MlSetting
`$null = Publish-MlModelArtifact -Name churn -Path '$artifact' -Environment test
(Get-MlModelVersion -Environment test -Latest).ModelId
& '$PSScriptRoot/Test-ShippedDependencies.ps1' -BinFolder '$RepoRoot/bin'
"@
        Invoke-FreshPwsh $script | Should -Be @('churn/test/1', 'all resolved')
    }

    It 'works after another module loaded other versions of its dependencies, which it loads beside them in a context of its own' {
        # Another module's YamlDotNet and Microsoft.Extensions.Configuration.Json (same names, version 1.0.0.0) are loaded
        # first, as Import-Module of that module would; MlOps then reads an akerbp.mlops YAML project and its own settings.
        $stubs = Join-Path $TestDrive 'other-module'
        $project = Join-Path $TestDrive 'yaml-project'
        Copy-Item (Join-Path $RepoRoot 'tests/Fixtures/akerbp/yaml') $project -Recurse
        $script = @"
`$ErrorActionPreference = 'Stop'
Add-Type -TypeDefinition 'public static class MlOpsStubWarmUp { }'
New-Item -ItemType Directory '$stubs' -Force | Out-Null
foreach (`$name in 'YamlDotNet', 'Microsoft.Extensions.Configuration.Json') {
    `$tree = [Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree]::ParseText('[assembly: System.Reflection.AssemblyVersion("1.0.0.0")] namespace OtherModule { public static class Marker { } }')
    `$compilation = [Microsoft.CodeAnalysis.CSharp.CSharpCompilation]::Create(`$name, [Microsoft.CodeAnalysis.SyntaxTree[]] @(`$tree),
        [Microsoft.CodeAnalysis.MetadataReference[]] @([Microsoft.CodeAnalysis.MetadataReference]::CreateFromFile([object].Assembly.Location)),
        [Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions]::new([Microsoft.CodeAnalysis.OutputKind]::DynamicallyLinkedLibrary))
    `$path = Join-Path '$stubs' "`$name.dll"
    `$stream = [IO.File]::Create(`$path)
    try { if (-not `$compilation.Emit(`$stream).Success) { throw "could not build the stand-in `$name" } } finally { `$stream.Dispose() }
    `$null = [Reflection.Assembly]::LoadFrom(`$path)
}
Import-Module '$ManifestPath'
`$null = Import-MlAkerbpProject -Path '$project' -Confirm:`$false -WarningAction SilentlyContinue
(Get-MlSetting -SettingsPath '$project').Models.Name -join ','
[AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { `$_.GetName().Name -in 'YamlDotNet', 'Microsoft.Extensions.Configuration.Json' } |
    ForEach-Object { '{0} {1} {2}' -f `$_.GetName().Name, `$_.GetName().Version.Major, [Runtime.Loader.AssemblyLoadContext]::GetLoadContext(`$_).Name } |
    Sort-Object
"@
        $output = Invoke-FreshPwsh $script
        $output | Should -Be @(
            'forecast,anomaly'
            'Microsoft.Extensions.Configuration.Json 1 Default'
            'Microsoft.Extensions.Configuration.Json 8 MlOps dependencies'
            'YamlDotNet 1 Default'
            'YamlDotNet 16 MlOps dependencies'
        )
    }

    It 'keeps one version in the manifest, Directory.Build.props and CHANGELOG.md' {
        $manifest = Import-PowerShellDataFile $ManifestPath
        $props = [xml](Get-Content (Join-Path $RepoRoot 'Directory.Build.props') -Raw)
        $propsVersion = @($props.Project.PropertyGroup | ForEach-Object { $_.MlOpsVersion } | Where-Object { $_ })[0]
        $manifest.ModuleVersion | Should -Be $propsVersion
        (Get-Content (Join-Path $RepoRoot 'CHANGELOG.md') -Raw) | Should -Match ([regex]::Escape("## [$propsVersion]"))
    }

    It 'declares both editions, PowerShell 5.1 and PSData tags' {
        $manifest = Import-PowerShellDataFile $ManifestPath
        $manifest.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $manifest.PowerShellVersion | Should -Be '5.1'
        $manifest.PrivateData.PSData.Tags | Should -Contain 'MLOps'
    }

    It 'ships the about_MlOps topic with the model interface' {
        $text = Invoke-FreshPwsh "Import-Module '$ManifestPath'; Get-Help about_MlOps | Out-String -Width 200"
        ($text -join "`n") | Should -Match 'THE MODEL INTERFACE'
        ($text -join "`n") | Should -Match 'initialization\(artifact_folder, secrets\)'
    }

    It 'has generated help for every cmdlet and every parameter, with examples, -WhatIf/-Confirm in the syntax, INPUTS, OUTPUTS and RELATED LINKS' {
        $script = @"
Import-Module '$ManifestPath'
`$common = [System.Management.Automation.Cmdlet]::CommonParameters + 'UseTransaction'
foreach (`$command in Get-Command -Module MlOps) {
    `$help = Get-Help `$command.Name -Full
    `$syntax = `$help.Syntax | Out-String -Width 1000
    if (`$command.Parameters.ContainsKey('WhatIf') -and (`$syntax -notmatch '\[-WhatIf\]' -or `$syntax -notmatch '\[-Confirm\]')) { "`$(`$command.Name): no -WhatIf/-Confirm in the syntax" }
    if (-not `$help.inputTypes.inputType.type.name) { "`$(`$command.Name): no INPUTS" }
    `$outputs = @(`$help.returnValues.returnValue.type.name)
    foreach (`$type in `$command.OutputType.Name) { if (`$outputs -notcontains `$type) { "`$(`$command.Name): OUTPUTS lacks `$type" } }
    `$links = @(`$help.relatedLinks.navigationLink.linkText | ForEach-Object { `$_.Trim() })
    if (`$links -notcontains 'about_MlOps' -or `$links.Count -lt 2) { "`$(`$command.Name): RELATED LINKS `$(`$links -join ', ')" }
    foreach (`$link in `$links | Where-Object { `$_ -ne 'about_MlOps' }) { if (-not (Get-Command `$link -Module MlOps -ErrorAction SilentlyContinue)) { "`$(`$command.Name): related link `$link is no MlOps cmdlet" } }
    if (-not `$help.Synopsis -or `$help.Synopsis -like '*[[]*') { "`$(`$command.Name): no synopsis" }
    if (-not (`$help.Description | Out-String).Trim()) { "`$(`$command.Name): no description" }
    `$examples = @(`$help.Examples.Example | Where-Object { `$_.Code.Trim() -and (`$_.Remarks | Out-String).Trim() })
    if (`$examples.Count -lt 2) { "`$(`$command.Name): `$(`$examples.Count) examples" }
    if (-not (`$examples.Code -match '\|')) { "`$(`$command.Name): no pipeline example" }
    foreach (`$parameter in `$command.Parameters.Keys | Where-Object { `$_ -notin `$common }) {
        `$text = (`$help.Parameters.Parameter | Where-Object Name -eq `$parameter).Description | Out-String
        if (-not `$text.Trim()) { "`$(`$command.Name) -`$(`$parameter): no description" }
    }
}
'checked'
"@
        Invoke-FreshPwsh $script | Should -Be 'checked'
    }

    It 'has a current cmdlet reference in docs/reference, generated from the same help' {
        $fresh = Join-Path ([IO.Path]::GetTempPath()) "mlops-reference-$([guid]::NewGuid().ToString('N'))"
        try {
            Invoke-FreshPwsh "& '$RepoRoot/scripts/tools/New-MlOpsReference.ps1' -ModulePath '$ManifestPath' -OutputFolder '$fresh'" | Out-Null
            $committed = Join-Path $RepoRoot 'docs/reference'
            (Get-ChildItem $fresh -Filter *.md).Name | Sort-Object | Should -Be ((Get-ChildItem $committed -Filter *.md).Name | Sort-Object)
            foreach ($page in Get-ChildItem $fresh -Filter *.md) {
                Get-Content (Join-Path $committed $page.Name) -Raw | Should -BeExactly (Get-Content $page.FullName -Raw) -Because "docs/reference/$($page.Name) must match the help (run ./build.ps1 -Task Docs)"
            }
        }
        finally { Remove-Item $fresh -Recurse -Force -ErrorAction SilentlyContinue }
    }

    It 'declares an output type on every cmdlet, each of its own types with a default view in the format file' {
        Import-Module $ManifestPath -Force
        $format = [xml](Get-Content (Join-Path $RepoRoot 'module/MlOps.Format.ps1xml') -Raw)
        $viewed = @($format.Configuration.ViewDefinitions.View.ViewSelectedBy.TypeName)
        foreach ($command in Get-Command -Module MlOps) {
            $command.OutputType | Should -Not -BeNullOrEmpty -Because "$($command.Name) must declare [OutputType]"
            foreach ($type in $command.OutputType.Type | Where-Object { $_.FullName -like 'MlOps.*' }) {
                $viewed | Should -Contain $type.FullName -Because "$($command.Name) writes $($type.Name), which needs a view in module/MlOps.Format.ps1xml"
            }
        }
    }
}
