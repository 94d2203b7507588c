import { Component, Input } from '@angular/core';
import { DomSanitizer, SafeHtml, SafeResourceUrl } from '@angular/platform-browser';
import DOMPurify from 'dompurify';

const EMBED = 'https://www.youtube.com/embed/intro';

@Component({ selector: 'app-comment', template: '<div [innerHTML]="html"></div>' })
export class CommentComponent {
  @Input() body = '';
  @Input() videoId = '';
  html: SafeHtml = '';
  url: SafeResourceUrl = '';

  constructor(private sanitizer: DomSanitizer) {}

  render(): void {
    // ruleid: ts-angular-bypass-security-trust
    this.html = this.sanitizer.bypassSecurityTrustHtml(this.body);
    // ruleid: ts-angular-bypass-security-trust
    this.url = this.sanitizer.bypassSecurityTrustResourceUrl(`https://www.youtube.com/embed/${this.videoId}`);
  }

  safe(): void {
    // ok: ts-angular-bypass-security-trust
    this.html = this.sanitizer.bypassSecurityTrustHtml('<b>static</b>');
    // ok: ts-angular-bypass-security-trust
    this.url = this.sanitizer.bypassSecurityTrustResourceUrl(EMBED);
    // ok: ts-angular-bypass-security-trust
    this.html = this.sanitizer.bypassSecurityTrustHtml(DOMPurify.sanitize(this.body));
  }
}
