use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::parse::{Parse, ParseStream, Parser};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{
    FnArg, GenericParam, Item, ItemFn, LitStr, Pat, PatIdent, Path, ReturnType, Signature, Token,
    TraitItemFn,
};

/// Collects every mistake, to report them all at once.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, tokens: impl ToTokens, message: impl std::fmt::Display) {
        let error = syn::Error::new_spanned(tokens, message);
        match &mut self.0 {
            Some(errors) => errors.combine(error),
            None => self.0 = Some(error),
        }
    }
}

/// `#[promisify(crate = path)]`: the path to the `promisify` crate, for re-exporters.
struct Args {
    krate: Option<Path>,
}

impl Parse for Args {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let mut krate = None;
        while !input.is_empty() {
            if input.peek(Token![crate]) && input.peek2(Token![=]) {
                input.parse::<Token![crate]>()?;
                input.parse::<Token![=]>()?;
                krate = Some(if input.peek(LitStr) {
                    input.parse::<LitStr>()?.parse()?
                } else {
                    Path::parse_mod_style(input)?
                });
            } else {
                let unknown: proc_macro2::TokenTree = input.parse()?;
                return Err(syn::Error::new_spanned(
                    unknown,
                    "unknown argument: `#[promisify]` takes only `crate = path`, the path to \
                     the promisify crate when it is re-exported",
                ));
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(Args { krate })
    }
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "the proc macro's input, passed on whole"
)]
pub(crate) fn expand(args: TokenStream, item: TokenStream) -> TokenStream {
    let args = match Args::parse.parse2(args) {
        Ok(args) => args,
        Err(error) => {
            let error = error.into_compile_error();
            return quote!(#error #item);
        }
    };
    let krate = args
        .krate
        .map_or_else(|| quote!(::promisify), |path| quote!(#path));
    match syn::parse2::<Item>(item.clone()) {
        Ok(Item::Fn(function)) => expand_fn(&krate, function),
        Ok(Item::Verbatim(_)) | Err(_) if is_declaration(&item) => {
            let error = syn::Error::new_spanned(
                &item,
                "`#[promisify]` cannot go on a trait method declaration, which has no body to \
                 start: declare `fn ...(..) -> Promise<T>` in the trait, and put `#[promisify]` \
                 on the method of each impl",
            )
            .into_compile_error();
            quote!(#error #item)
        }
        Ok(other) => {
            let error = syn::Error::new_spanned(
                item_keyword(&other),
                "`#[promisify]` goes on a function: it turns `async fn f() -> T` into \
                 `fn f() -> Promise<T>`, which starts running when called",
            )
            .into_compile_error();
            quote!(#error #item)
        }
        Err(error) => {
            let error = error.into_compile_error();
            quote!(#error #item)
        }
    }
}

/// Whether `item` is a function signature without a body, as in a trait.
fn is_declaration(item: &TokenStream) -> bool {
    syn::parse2::<TraitItemFn>(item.clone()).is_ok_and(|f| f.default.is_none())
}

/// The token to point at for an item that is not a function.
fn item_keyword(item: &Item) -> TokenStream {
    match item {
        Item::Struct(item) => item.struct_token.to_token_stream(),
        Item::Enum(item) => item.enum_token.to_token_stream(),
        Item::Impl(item) => item.impl_token.to_token_stream(),
        Item::Trait(item) => item.trait_token.to_token_stream(),
        Item::Mod(item) => item.mod_token.to_token_stream(),
        Item::Const(item) => item.const_token.to_token_stream(),
        Item::Static(item) => item.static_token.to_token_stream(),
        Item::Type(item) => item.type_token.to_token_stream(),
        Item::Use(item) => item.use_token.to_token_stream(),
        other => other.to_token_stream(),
    }
}

fn expand_fn(krate: &TokenStream, function: ItemFn) -> TokenStream {
    let ItemFn {
        attrs,
        vis,
        sig,
        block,
    } = function;
    let mut errors = Errors::default();
    check_signature(&sig, &mut errors);

    let output = match &sig.output {
        ReturnType::Default => quote!(()),
        ReturnType::Type(_, ty) => ty.to_token_stream(),
    };
    let mut outer = sig.clone();
    outer.asyncness = None;
    outer.output = syn::parse_quote_spanned!(sig.output.span()=> -> #krate::Promise<#output>);

    // Every parameter is moved into the body, as an `async fn` does, so that each lives as long
    // as the body runs, even one the body never names. A pattern becomes a plain argument.
    let mut bindings = Vec::new();
    for (i, input) in outer.inputs.iter_mut().enumerate() {
        match input {
            FnArg::Receiver(receiver) => {
                let self_token = receiver.self_token;
                bindings.push(quote!(let _ = &#self_token;));
            }
            FnArg::Typed(typed) => match &*typed.pat {
                Pat::Ident(PatIdent {
                    by_ref: None,
                    subpat: None,
                    mutability,
                    ident,
                    ..
                }) => {
                    bindings.push(quote! {
                        #[allow(clippy::used_underscore_binding, clippy::redundant_locals)]
                        let #mutability #ident = #ident;
                    });
                    let ident = ident.clone();
                    *typed.pat = syn::parse_quote!(#ident);
                }
                pattern => {
                    let argument = format_ident!("__arg{}", i, span = Span::mixed_site());
                    bindings.push(quote!(let #pattern = #argument;));
                    *typed.pat = syn::parse_quote!(#argument);
                }
            },
        }
    }

    if let Some(errors) = errors.0 {
        // One mistake, one error: the fn keeps the signature it would have had, so that its
        // callers type-check, and its body is left out.
        let errors = errors.into_compile_error();
        return quote! {
            #errors
            #(#attrs)*
            #[allow(unused_variables, clippy::unused_async)]
            #vis #outer {
                ::core::unreachable!()
            }
        };
    }

    let stmts = &block.stmts;
    let name = &sig.ident;
    let krate = respan(krate, name.span());
    let body = if sig.asyncness.is_some() {
        // Spanned at the fn's name: a body that is not `Send + 'static` is reported there.
        quote_spanned! {name.span()=>
            #krate::checks::PromiseBody::start(async move {
                #(#bindings)*
                #(#stmts)*
            })
        }
    } else {
        quote_spanned! {name.span()=>
            #krate::__private::run(move || -> #output {
                #(#bindings)*
                #(#stmts)*
            })
        }
    };
    quote! {
        #(#attrs)*
        #vis #outer {
            #body
        }
    }
}

/// `tokens`, every one of them located at `span`.
fn respan(tokens: &TokenStream, span: Span) -> TokenStream {
    tokens
        .clone()
        .into_iter()
        .map(|mut token| {
            token.set_span(span);
            token
        })
        .collect()
}

fn check_signature(sig: &Signature, errors: &mut Errors) {
    if let Some(constness) = &sig.constness {
        errors.push(
            constness,
            "`#[promisify]` functions cannot be `const`: they start work on a runtime; remove `const`",
        );
    }
    if let Some(unsafety) = &sig.unsafety {
        errors.push(
            unsafety,
            "`#[promisify]` functions cannot be `unsafe`: the body runs after the call returns, \
             where the caller's guarantees no longer hold; make it safe, with an `unsafe` block \
             inside",
        );
    }
    if let Some(abi) = &sig.abi {
        errors.push(
            abi,
            "`#[promisify]` functions cannot be `extern`: they return a Rust `Promise`; remove the ABI",
        );
    }
    // A lifetime parameter is one mistake with its uses: it is reported, they are not.
    let mut declared = Vec::new();
    for param in &sig.generics.params {
        if let GenericParam::Lifetime(lifetime) = param {
            errors.push(
                lifetime,
                "`#[promisify]` functions cannot have lifetime parameters: the body keeps running \
                 after the call returns, so it cannot borrow; take owned values",
            );
            declared.push(&lifetime.lifetime);
        }
    }
    let borrows = |lifetime: Option<&syn::Lifetime>| {
        lifetime.is_none_or(|l| l.ident != "static" && !declared.contains(&l))
    };
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => {
                if let Some((_, lifetime)) = &receiver.reference {
                    if borrows(lifetime.as_ref()) {
                        errors.push(
                            receiver,
                            "`#[promisify]` methods cannot borrow `self`: the body keeps running \
                             after the call returns; take `self` by value or `self: Arc<Self>`",
                        );
                    }
                }
            }
            FnArg::Typed(typed) => {
                let mut found = Borrows {
                    borrows: &borrows,
                    found: Vec::new(),
                };
                found.visit_type(&typed.ty);
                for borrow in found.found {
                    errors.push(
                        borrow,
                        "`#[promisify]` functions cannot borrow their arguments: the body keeps \
                         running after the call returns; take an owned value, such as `String` \
                         for `&str` or `Vec<T>` for `&[T]`",
                    );
                }
            }
        }
    }
}

/// The borrows a parameter's type holds: references and lifetimes, but for those `borrows`
/// lets pass (`'static`, and the lifetime parameters already reported).
struct Borrows<'a, B> {
    /// Whether a reference with this lifetime (none: elided), or this lifetime, is a borrow
    /// to report.
    borrows: &'a B,
    found: Vec<TokenStream>,
}

impl<'ast, B: Fn(Option<&syn::Lifetime>) -> bool> Visit<'ast> for Borrows<'_, B> {
    fn visit_type_reference(&mut self, reference: &'ast syn::TypeReference) {
        if (self.borrows)(reference.lifetime.as_ref()) {
            self.found.push(reference.to_token_stream());
        } else {
            self.visit_type(&reference.elem);
        }
    }

    fn visit_lifetime(&mut self, lifetime: &'ast syn::Lifetime) {
        if (self.borrows)(Some(lifetime)) {
            self.found.push(lifetime.to_token_stream());
        }
    }
}
