BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')

    function Invoke-IsolatedPwsh {
        # A fresh pwsh whose home, data folders and module path are temporary: PSResourceGet keeps its repository list
        # in the user's data folder and installs CurrentUser modules under it, and this test must touch neither.
        param([Parameter(Mandatory)] [string] $HomeFolder, [Parameter(Mandatory)] [string] $Script)
        $data = Join-Path $HomeFolder '.local/share'
        # .NET returns no data folder when it does not exist yet, and PSResourceGet would then write beside the current folder.
        New-Item -ItemType Directory -Path $data, (Join-Path $HomeFolder '.config'), (Join-Path $HomeFolder '.cache') -Force | Out-Null
        $variables = @{ HOME = $HomeFolder; XDG_DATA_HOME = $data; XDG_CONFIG_HOME = (Join-Path $HomeFolder '.config'); XDG_CACHE_HOME = (Join-Path $HomeFolder '.cache')
            PSModulePath = $null }
        $saved = @{}
        try {
            foreach ($name in $variables.Keys) {
                $saved[$name] = [Environment]::GetEnvironmentVariable($name)
                [Environment]::SetEnvironmentVariable($name, $variables[$name])
            }
            Push-Location $HomeFolder
            Invoke-FreshPwsh $Script
        }
        finally {
            Pop-Location
            foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        }
    }

    function Get-UserPSResourceGetState {
        # The real user's repository list and CurrentUser module folder, to prove the test left them alone.
        $data = [Environment]::GetFolderPath('LocalApplicationData')
        $list = Join-Path $data 'PSResourceGet/PSResourceRepository.xml'
        $modules = Join-Path $data 'powershell/Modules/MlOps'
        [pscustomobject]@{
            List    = if (Test-Path $list) { (Get-FileHash $list).Hash } else { 'none' }
            Modules = Test-Path $modules
        }
    }
}

Describe 'Installing the package with PSResourceGet from a local repository' -Skip:$IsWindows {
    # Windows takes the data folders from the user profile, not from the environment, so they cannot be redirected here.
    BeforeAll {
        $before = Get-UserPSResourceGetState
        $output = Join-Path $TestDrive 'out'
        $package = & (Join-Path $RepoRoot 'scripts/tools/New-MlOpsPackage.ps1') -RepositoryRoot $RepoRoot -OutputFolder $output
        $version = (Import-PowerShellDataFile $ManifestPath).ModuleVersion
        $isolatedHome = (New-Item -ItemType Directory -Path (Join-Path $TestDrive 'home') -Force).FullName
        $project = New-TestProject (Join-Path $TestDrive 'project')
        $artifact = New-TestArtifact (Join-Path $TestDrive 'artifact')
        $script = @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Register-PSResourceRepository -Name MlOpsPester -Uri '$($package.Repository)' -Trusted
Install-PSResource MlOps -Repository MlOpsPester -TrustRepository -Scope CurrentUser -Quiet
'installed=' + (Get-InstalledPSResource MlOps -Scope CurrentUser).Version
Import-Module MlOps
'base=' + (Get-Module MlOps).ModuleBase
Set-Location '$project'
'settings=' + (Test-MlSetting 3>`$null)
'published=' + (Publish-MlModelArtifact churn '$artifact' -Environment test).ModelId
'latest=' + (Get-MlModelVersion churn -Environment test -Latest).ModelId
'table=' + ((Get-MlModelVersion churn -Environment test | Out-String -Width 200) -split "``n" | Where-Object { `$_.Trim() } | Select-Object -First 1).Trim()
'help=' + (Get-Help Publish-MlModelArtifact).Synopsis
'about=' + [bool]((Get-Help about_MlOps | Out-String) -match 'THE MODEL INTERFACE')
'completion=' + ((TabExpansion2 -inputScript 'Get-MlModelVersion churn -Environment test -Version ' -cursorColumn 52).CompletionMatches.CompletionText -join ',')
Unregister-PSResourceRepository -Name MlOpsPester
'repositories=' + ((Get-PSResourceRepository).Name -join ',')
"@
        $lines = Invoke-IsolatedPwsh -HomeFolder $isolatedHome -Script $script
        $result = @{}
        foreach ($line in $lines | Where-Object { "$_" -match '^\w+=' }) { $key, $value = "$line" -split '=', 2; $result[$key] = $value }
    }

    It 'packs the laid-out module into a .nupkg in a file repository' {
        $package.Package | Should -Exist
        Split-Path $package.Package -Leaf | Should -Be "MlOps.$version.nupkg"
        $package.Module | Should -Be (Join-Path $output "MlOps/$version")
        # Self-contained: the manifest's root module, formats and help sit inside the package, relative to it.
        foreach ($file in 'MlOps.psd1', 'bin/MlOps.PowerShell.dll', 'bin/MlOps.Core.dll', 'module/MlOps.Format.ps1xml', 'en-US/MlOps.PowerShell.dll-Help.xml',
            'en-US/about_MlOps.help.txt') {
            Join-Path $package.Module $file | Should -Exist
        }
        Get-ChildItem (Join-Path $package.Module 'bin') -Filter *.pdb | Should -BeNullOrEmpty
        Add-Type -AssemblyName System.IO.Compression.FileSystem
        $zip = [IO.Compression.ZipFile]::OpenRead($package.Package)
        try {
            $zip.Entries.FullName | Should -Contain 'bin/MlOps.PowerShell.dll'
            $zip.Entries.FullName | Should -Contain 'MlOps.psd1'
            # Third-party assemblies ship in bin/Dependencies, loaded into MlOps's own context (not beside the cmdlets).
            $zip.Entries.FullName | Should -Contain 'bin/Dependencies/YamlDotNet.dll'
            $zip.Entries.FullName | Should -Not -Contain 'bin/YamlDotNet.dll'
        }
        finally { $zip.Dispose() }
    }

    It 'installs with Install-PSResource into the (temporary) CurrentUser scope and imports from there' {
        $result['installed'] | Should -Be $version
        $result['base'] | Should -Be (Join-Path $isolatedHome ".local/share/powershell/Modules/MlOps/$version")
    }

    It 'works from the installed location: settings, registry, views, help and completion' {
        $result['settings'] | Should -Be 'True'
        $result['published'] | Should -Be 'churn/test/1'
        $result['latest'] | Should -Be 'churn/test/1'
        $result['table'] -split '\s+' | Should -Be @('Name', 'Environment', 'Version', 'Created', 'Size', 'Files', 'PromotedFrom', 'Metadata')
        $result['help'] | Should -Be 'Stores a model''s artifact folder as a new version, or promotes a version to another environment.'
        $result['about'] | Should -Be 'True'
        $result['completion'] | Should -Be '1'
    }

    It 'unregisters its repository and leaves the real user''s PSResourceGet configuration and modules alone' {
        $result['repositories'] -split ',' | Should -Not -Contain 'MlOpsPester'
        $after = Get-UserPSResourceGetState
        $after.List | Should -Be $before.List
        $after.Modules | Should -Be $before.Modules
        Test-Path (Join-Path $isolatedHome '.local/share/PSResourceGet/PSResourceRepository.xml') | Should -BeTrue
    }
}
