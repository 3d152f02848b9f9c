; DataProtector Desktop: the Windows installer (NSIS 3.08+; makensis runs on Windows and on Linux).
;
;   makensis -DVERSION=0.1.0 -DNUMERIC_VERSION=0.1.0.0 -DPAYLOAD=build\dist\dataprotector-desktop
;            -DICON=build\icons\dataprotector-desktop.ico -DOUTFILE=DataProtectorDesktop-0.1.0-setup.exe
;            [-DSIGN=installers/windows/sign.sh] installers\windows\dataprotector.nsi
;
; installers/windows/build-installer.sh passes all of these. PAYLOAD is the PyInstaller one-folder bundle
; built on Windows (DataProtectorDesktop.exe, windowed; dataprotector-desktop.exe, console; _internal\).
; SIGN, when given, is run on the uninstaller and on the installer as they are written (Authenticode).
;
; Installs per machine into Program Files, with a Start-menu entry, an Explorer "Protect with
; DataProtector" entry on files and folders, and an uninstaller registered in "Apps & features".
; The user's data (wallet, protected-data journal, sandbox) stays in their profile and is never removed.

Unicode true
!ifndef VERSION | NUMERIC_VERSION | PAYLOAD | ICON | OUTFILE
  !error "define VERSION, NUMERIC_VERSION, PAYLOAD, ICON and OUTFILE (see the header of this file)"
!endif

!define APP "DataProtector Desktop"
!define GUI_EXE "DataProtectorDesktop.exe"
!define CLI_EXE "dataprotector-desktop.exe"
!define PUBLISHER "DataProtector Desktop contributors"
!define KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\DataProtectorDesktop"
!define VERB "DataProtectorDesktop.Protect"

!include MUI2.nsh
!include x64.nsh
!include FileFunc.nsh

!ifdef SIGN
  !uninstfinalize '"${SIGN}" "%1"' = 0
  !finalize '"${SIGN}" "%1"' = 0
!endif

Name "${APP}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APP}"
InstallDirRegKey HKLM "Software\${APP}" "InstallDir"
RequestExecutionLevel admin
SetCompressor /SOLID lzma
ManifestDPIAware true
BrandingText "${APP} ${VERSION}"

VIProductVersion "${NUMERIC_VERSION}"
VIFileVersion "${NUMERIC_VERSION}"
VIAddVersionKey /LANG=1033 "ProductName" "${APP}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1033 "FileDescription" "${APP} installer"
VIAddVersionKey /LANG=1033 "LegalCopyright" "Apache-2.0"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_SHOWREADME ""
!define MUI_FINISHPAGE_SHOWREADME_NOTCHECKED
!define MUI_FINISHPAGE_SHOWREADME_TEXT "Create a desktop shortcut"
!define MUI_FINISHPAGE_SHOWREADME_FUNCTION DesktopShortcut

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "${APP} needs a 64-bit Windows."
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Function DesktopShortcut
  CreateShortcut "$DESKTOP\${APP}.lnk" "$INSTDIR\${GUI_EXE}"
FunctionEnd

; Stop a local sandbox this user left running from the installed copy, so its files can be replaced.
!macro StopSandbox
  IfFileExists "$INSTDIR\${CLI_EXE}" 0 +2
    nsExec::Exec '"$INSTDIR\${CLI_EXE}" sandbox down'
!macroend

Section "${APP}" SecApp
  SectionIn RO
  !insertmacro StopSandbox
  RMDir /r "$INSTDIR\_internal"  ; an upgrade never keeps files of the previous version
  SetOutPath "$INSTDIR"
  File /r "${PAYLOAD}\*.*"
  WriteUninstaller "$INSTDIR\Uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\${GUI_EXE}" "" "$INSTDIR\${GUI_EXE}" 0 \
    SW_SHOWNORMAL "" "Protect files for iExec confidential computing"

  ; Explorer: right-click a file or a folder → "Protect with DataProtector" (opens it in Protect).
  WriteRegStr HKLM "Software\Classes\*\shell\${VERB}" "" "Protect with DataProtector"
  WriteRegStr HKLM "Software\Classes\*\shell\${VERB}" "Icon" '"$INSTDIR\${GUI_EXE}",0'
  WriteRegStr HKLM "Software\Classes\*\shell\${VERB}\command" "" '"$INSTDIR\${GUI_EXE}" "%1"'
  WriteRegStr HKLM "Software\Classes\Directory\shell\${VERB}" "" "Protect with DataProtector"
  WriteRegStr HKLM "Software\Classes\Directory\shell\${VERB}" "Icon" '"$INSTDIR\${GUI_EXE}",0'
  WriteRegStr HKLM "Software\Classes\Directory\shell\${VERB}\command" "" '"$INSTDIR\${GUI_EXE}" "%1"'

  ; "Apps & features".
  WriteRegStr HKLM "Software\${APP}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${KEY}" "DisplayName" "${APP}"
  WriteRegStr HKLM "${KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${KEY}" "DisplayIcon" '"$INSTDIR\${GUI_EXE}",0'
  WriteRegStr HKLM "${KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${KEY}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
  WriteRegStr HKLM "${KEY}" "QuietUninstallString" '"$INSTDIR\Uninstall.exe" /S'
  WriteRegStr HKLM "${KEY}" "URLInfoAbout" "https://iex.ec"
  WriteRegDWORD HKLM "${KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${KEY}" "EstimatedSize" "$0"
SectionEnd

Section "Uninstall"
  !insertmacro StopSandbox
  Delete "$SMPROGRAMS\${APP}.lnk"
  Delete "$DESKTOP\${APP}.lnk"
  DeleteRegKey HKLM "Software\Classes\*\shell\${VERB}"
  DeleteRegKey HKLM "Software\Classes\Directory\shell\${VERB}"
  DeleteRegKey HKLM "${KEY}"
  DeleteRegKey HKLM "Software\${APP}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${GUI_EXE}"
  Delete "$INSTDIR\${CLI_EXE}"
  Delete "$INSTDIR\Uninstall.exe"
  RMDir "$INSTDIR"
SectionEnd
